{#
    Customers: one row per account of a business line, in its latest exported version. The export lands as
    daily deltas (the first day every account, later days the new or changed ones), so an account can
    appear on several days in raw: the newest `updated_at` wins, then the newest load, then the newest
    file. Columns are renamed into Vision's shared vocabulary and trimmed; names and emails are otherwise
    kept as typed, and identity resolution (bridge_customer_account) normalises them to recognise people.
    Each line's model passes the names its export uses for the shared columns, and `line_columns`: the
    columns only its export has, {staged name: expression over the landed columns}, which follow `city`.
#}

{% macro stage_customers(
    line, account_column, name_column, email_column, country_column, region_column, signed_up_at_column,
    line_columns={}
) %}

with

source as (

    select * from {{ source('raw', line ~ '_customers') }}

),

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim({{ account_column }}) as account_key,
        trim({{ account_column }}) as account_id,
        nullif(trim({{ name_column }}), '') as customer_name,
        nullif(trim({{ email_column }}), '') as email,
        upper(trim({{ country_column }})) as country_code,
        nullif(trim({{ region_column }}), '') as region,
        nullif(trim(city), '') as city,
        {%- for column, expression in line_columns.items() %}
        {{ expression }} as {{ column }},
        {%- endfor %}
        {{ geography_key(country_column, region_column, 'city') }} as geography_key,
        {{ signed_up_at_column }} as signed_up_at,
        updated_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

versions as (

    {{ rank_landed_copies(
        'renamed', 'account_id', newest_first='updated_at desc, loaded_at desc, source_file desc'
    ) }}

),

final as (

    select
        account_key,
        business_line,
        account_id,
        customer_name,
        email,
        country_code,
        region,
        city,
        {%- for column in line_columns %}
        {{ column }},
        {%- endfor %}
        geography_key,
        signed_up_at,
        updated_at,
        loaded_at
    from versions
    where copy_rank = 1

)

select * from final

{% endmacro %}

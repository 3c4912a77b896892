{#
    Catalog: one row per product of a business line (a book, a title, a track, a product) in its latest
    exported version: the newest `updated_at` wins, then the newest load, then the newest file.

    The lines' catalogs describe different things, so a line's model passes every column between
    `product_id` and `updated_at`, in order, as `line_columns`: {staged name: expression over the landed
    columns}. A line that sells at a list price (its columns include `list_price` and `currency`) also gets
    `list_price_usd` right after `currency`, at the rate of the seed currency_rates (macros/money.sql); a
    streaming line's catalog has no price.
#}

{% macro stage_catalog(line, product_column, line_columns) %}
{%- set priced = 'list_price' in line_columns and 'currency' in line_columns %}

with

source as (

    select * from {{ source('raw', line ~ '_catalog') }}

),
{%- if priced %}

rates as (

    select * from {{ ref('currency_rates') }}

),
{%- endif %}

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim({{ product_column }}) as product_key,
        trim({{ product_column }}) as product_id,
        {%- for column, expression in line_columns.items() %}
        {{ expression }} as {{ column }},
        {%- endfor %}
        updated_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

versions as (

    {{ rank_landed_copies(
        'renamed', 'product_id', newest_first='updated_at desc, loaded_at desc, source_file desc'
    ) }}

),

final as (

    select
        versions.product_key,
        versions.business_line,
        versions.product_id,
        {%- for column in line_columns %}
        versions.{{ column }},
        {%- if priced and column == 'currency' %}
        {{ to_usd('versions.list_price', 'rates.units_per_usd') }} as list_price_usd,
        {%- endif %}
        {%- endfor %}
        versions.updated_at,
        versions.loaded_at
    from versions
    {%- if priced %}
    left join rates
        on versions.currency = rates.currency
    {%- endif %}
    where versions.copy_rank = 1

)

select * from final

{% endmacro %}

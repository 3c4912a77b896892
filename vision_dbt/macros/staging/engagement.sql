{#
    Engagement: one row per engagement event of a business line (a read, a stream, a listen, a product
    view, ...), each keeping its latest landed copy, with the time spent in minutes. Each line's model
    passes:
    * the names its export uses for the event, the account, the product and the time of the event;
    * `categories`: its event types, {event type: category}, in the categories every line shares
      (consume, preview, save, browse, cart); an event type it does not list has no category;
    * the time spent as `minutes_column` or, for an export that counts seconds, `seconds_column`;
    * `line_columns`: the columns only its export has, {staged name: expression over the landed columns},
      which follow `engaged_minutes`.
    Staged incrementally (macros/staging.sql).
#}

{% macro stage_engagement(
    line, event_column, account_column, product_column, event_time_column, categories,
    minutes_column=none, seconds_column=none, line_columns={}
) %}
{%- if (minutes_column is none) == (seconds_column is none) -%}
    {{ exceptions.raise_compiler_error(
        "stage_engagement('" ~ line ~ "'): give the time spent as one of minutes_column and seconds_column"
    ) }}
{%- endif %}

with

{{ restaged_source(
    source('raw', line ~ '_engagement'), landed_id=event_column, landed_at=event_time_column,
    staged_id='event_id'
) }}

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim({{ event_column }}) as engagement_key,
        trim({{ event_column }}) as event_id,
        '{{ line }}:' || trim({{ account_column }}) as account_key,
        trim({{ account_column }}) as account_id,
        '{{ line }}:' || trim({{ product_column }}) as product_key,
        trim({{ product_column }}) as product_id,
        lower(trim(event_type)) as event_type,
        case lower(trim(event_type))
            {%- for event_type, category in categories.items() %}
            when '{{ event_type }}' then '{{ category }}'
            {%- endfor %}
        end as engagement_category,
        {%- if minutes_column is not none %}
        cast({{ minutes_column }} as decimal(18, 4)) as engaged_minutes,
        {%- else %}
        -- The export counts seconds: minutes here, like the other lines, to four decimals.
        cast(cast({{ seconds_column }} as decimal(18, 4)) / 60 as decimal(18, 4)) as engaged_minutes,
        {%- endif %}
        {%- for column, expression in line_columns.items() %}
        {{ expression }} as {{ column }},
        {%- endfor %}
        {{ event_time_column }} as occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'event_id') }}

),

final as (

    select
        engagement_key,
        business_line,
        event_id,
        account_key,
        account_id,
        product_key,
        product_id,
        event_type,
        engagement_category,
        engaged_minutes,
        {%- for column in line_columns %}
        {{ column }},
        {%- endfor %}
        occurred_at,
        loaded_at
    from copies
    where copy_rank = 1

)

{{ select_restaged('final', 'engagement_key') }}

{% endmacro %}

{#
    Every staging model keeps one landed copy of each record: the same event or snapshot row may land
    twice (a re-landed day, a file sent again, a timestamp corrected onto another day). This ranks the
    copies of each `key` newest first (by default the latest load, then the latest file name); the model
    keeps `copy_rank = 1`. One macro, so every model settles duplicates the same way.
#}

{% macro rank_landed_copies(relation, key, newest_first='loaded_at desc, source_file desc') -%}
    select
        *,
        row_number() over (
            partition by {{ key }}
            order by {{ newest_first }}
        ) as copy_rank
    from {{ relation }}
{%- endmacro %}


{#
    The staging shape the business lines' billing and order exports share: rename and cast the landed
    columns, keep the latest landed copy of each event (a re-landed day or a file sent twice), and convert
    amounts to USD. One macro, so the four lines cannot drift apart; each model passes the column names its
    line's export uses.
#}

{% macro stage_billing(line, account_column, membership_column, with_orders=false) %}

with

source as (

    select * from {{ source('raw', line ~ '_billing') }}

),

rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim(billing_event_id) as billing_event_key,
        trim(billing_event_id) as billing_event_id,
        '{{ line }}:' || trim({{ account_column }}) as account_key,
        trim({{ account_column }}) as account_id,
        '{{ line }}:' || nullif(trim({{ membership_column }}), '') as membership_key,
        nullif(trim({{ membership_column }}), '') as membership_id,
        {%- if with_orders %}
        '{{ line }}:' || nullif(trim(order_id), '') as order_key,
        nullif(trim(order_id), '') as order_id,
        {%- endif %}
        lower(trim(event_type)) as event_type,
        cast(amount as decimal(18, 2)) as amount,
        upper(trim(currency)) as currency,
        occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'billing_event_id') }}

),

final as (

    select
        copies.billing_event_key,
        copies.business_line,
        copies.billing_event_id,
        copies.account_key,
        copies.account_id,
        copies.membership_key,
        copies.membership_id,
        {%- if with_orders %}
        copies.order_key,
        copies.order_id,
        {%- endif %}
        copies.event_type,
        copies.amount,
        copies.currency,
        {{ to_usd('copies.amount', 'rates.units_per_usd') }} as amount_usd,
        cast(case copies.event_type
            when 'payment' then 1
            when 'refund' then -1
            else 0
        end * copies.amount as decimal(18, 2)) as signed_amount,
        cast(case copies.event_type
            when 'payment' then 1
            when 'refund' then -1
            else 0
        end * {{ to_usd('copies.amount', 'rates.units_per_usd') }} as decimal(18, 2)) as signed_amount_usd,
        copies.occurred_at,
        copies.loaded_at
    from copies
    left join rates
        on copies.currency = rates.currency
    where copies.copy_rank = 1

)

select * from final

{% endmacro %}


{% macro stage_order_lines(line, account_column, product_column) %}

with

source as (

    select * from {{ source('raw', line ~ '_orders') }}

),

rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim(order_id) || ':' || cast(line_number as varchar) as order_line_key,
        '{{ line }}:' || trim(order_id) as order_key,
        trim(order_id) as order_id,
        cast(line_number as integer) as line_number,
        '{{ line }}:' || trim({{ account_column }}) as account_key,
        trim({{ account_column }}) as account_id,
        '{{ line }}:' || trim({{ product_column }}) as product_key,
        trim({{ product_column }}) as product_id,
        cast(quantity as integer) as quantity,
        cast(unit_price as decimal(18, 2)) as unit_price,
        cast(discount_amount as decimal(18, 2)) as discount_amount,
        upper(trim(currency)) as currency,
        ordered_at as occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'order_id, line_number') }}

),

final as (

    select
        copies.order_line_key,
        copies.order_key,
        copies.business_line,
        copies.order_id,
        copies.line_number,
        copies.account_key,
        copies.account_id,
        copies.product_key,
        copies.product_id,
        copies.quantity,
        copies.unit_price,
        copies.discount_amount,
        cast(copies.quantity * copies.unit_price as decimal(18, 2)) as gross_amount,
        cast(copies.quantity * copies.unit_price - copies.discount_amount as decimal(18, 2)) as net_amount,
        copies.currency,
        {{ to_usd('copies.quantity * copies.unit_price', 'rates.units_per_usd') }} as gross_amount_usd,
        {{ to_usd('copies.discount_amount', 'rates.units_per_usd') }} as discount_amount_usd,
        {{ to_usd('copies.quantity * copies.unit_price', 'rates.units_per_usd') }}
        - {{ to_usd('copies.discount_amount', 'rates.units_per_usd') }} as net_amount_usd,
        copies.occurred_at,
        copies.loaded_at
    from copies
    left join rates
        on copies.currency = rates.currency
    where copies.copy_rank = 1

)

select * from final

{% endmacro %}

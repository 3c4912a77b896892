{#
    Orders: one row per order line of a business line that sells goods (books, mart), with its amounts in
    the currency charged and in USD. The line keeps its latest landed copy (a re-landed day, a file sent
    twice, a timestamp corrected onto another day). Each line's model passes the names its export uses for
    the account and the product. Staged incrementally (macros/staging.sql), by whole orders.
#}

{% macro stage_order_lines(line, account_column, product_column) %}

with

{{ restaged_source(
    source('raw', line ~ '_orders'), landed_id='order_id', landed_at='ordered_at',
    staged_id='order_id'
) }}

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

{{ select_restaged('final', 'order_line_key') }}

{% endmacro %}

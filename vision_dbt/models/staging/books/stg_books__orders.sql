-- One row per Vision Books order line, with its amounts in local currency and in USD.

with

source as (

    select * from {{ source('raw', 'books_orders') }}

),

rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        'books' as business_line,
        'books:' || trim(order_id) || ':' || cast(line_number as varchar) as order_line_key,
        'books:' || trim(order_id) as order_key,
        trim(order_id) as order_id,
        cast(line_number as integer) as line_number,
        'books:' || trim(customer_id) as account_key,
        trim(customer_id) as account_id,
        'books:' || trim(book_id) as product_key,
        trim(book_id) as product_id,
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

    select
        *,
        row_number() over (
            partition by order_id, line_number
            order by loaded_at desc, source_file desc
        ) as copy_rank
    from renamed

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

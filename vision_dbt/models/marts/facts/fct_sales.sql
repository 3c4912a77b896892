{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        pre_hook="{{ delete_window('sale_date') }}",
        meta={'partition_expr': 'sale_date'},
    )
}}

-- One row per revenue event: an order line (Books, Mart), a membership payment (all lines), or a refund as a negative row.

with

books_order_lines as (

    select * from {{ ref('stg_books__orders') }}
    where {{ in_daily_window('occurred_at') }}

),

mart_order_lines as (

    select * from {{ ref('stg_mart__orders') }}
    where {{ in_daily_window('occurred_at') }}

),

billing_events as (

    select * from {{ ref('int_billing_events') }}
    where event_type in ('payment', 'refund')
        and {{ in_daily_window('occurred_at') }}

),

all_order_lines as (

    select * from {{ ref('stg_books__orders') }}
    union all
    select * from {{ ref('stg_mart__orders') }}

),

membership_changes as (

    select * from {{ ref('int_membership_changes') }}

),

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

order_lines as (

    select * from books_order_lines
    union all
    select * from mart_order_lines

),

order_line_sales as (

    select
        'order_line:' || order_line_key as sale_key,
        business_line,
        'order_line' as sale_type,
        order_line_key as source_key,
        order_key,
        cast(null as varchar) as membership_key,
        account_key,
        product_key,
        quantity,
        currency,
        gross_amount,
        discount_amount,
        cast(0 as decimal(18, 2)) as refund_amount,
        net_amount,
        gross_amount_usd,
        discount_amount_usd,
        cast(0 as decimal(18, 2)) as refund_amount_usd,
        net_amount_usd,
        occurred_at
    from order_lines

),

-- An order refund names the order, not the line: it is booked against the product of the first line whose
-- net amount it equals, else of the first line large enough to have paid it, else of the order's first line.
refunded_order_lines as (

    select
        billing_events.billing_event_key,
        all_order_lines.product_key,
        row_number() over (
            partition by billing_events.billing_event_key
            order by
                case
                    when all_order_lines.net_amount = billing_events.amount then 0
                    when all_order_lines.net_amount > billing_events.amount then 1
                    else 2
                end,
                all_order_lines.line_number
        ) as line_preference
    from billing_events
    inner join all_order_lines
        on billing_events.order_key = all_order_lines.order_key
    where billing_events.order_key is not null

),

billed_plans as (

    select
        billing_events.billing_event_key,
        membership_changes.business_line || ':plan:' || membership_changes.plan as product_key
    from billing_events
    inner join membership_changes
        on billing_events.membership_key = membership_changes.membership_key
        and billing_events.occurred_at >= membership_changes.holds_from
        and (
            membership_changes.holds_until is null
            or billing_events.occurred_at < membership_changes.holds_until
        )

),

billing_sales as (

    select
        'billing:' || billing_events.billing_event_key as sale_key,
        billing_events.business_line,
        case
            when billing_events.event_type = 'refund' then 'refund'
            else 'membership_payment'
        end as sale_type,
        billing_events.billing_event_key as source_key,
        billing_events.order_key,
        billing_events.membership_key,
        billing_events.account_key,
        coalesce(billed_plans.product_key, refunded_order_lines.product_key) as product_key,
        case when billing_events.event_type = 'payment' then 1 else 0 end as quantity,
        billing_events.currency,
        case when billing_events.event_type = 'payment' then billing_events.amount else 0 end as gross_amount,
        cast(0 as decimal(18, 2)) as discount_amount,
        case when billing_events.event_type = 'refund' then billing_events.amount else 0 end as refund_amount,
        billing_events.signed_amount as net_amount,
        case when billing_events.event_type = 'payment' then billing_events.amount_usd else 0 end as gross_amount_usd,
        cast(0 as decimal(18, 2)) as discount_amount_usd,
        case when billing_events.event_type = 'refund' then billing_events.amount_usd else 0 end as refund_amount_usd,
        billing_events.signed_amount_usd as net_amount_usd,
        billing_events.occurred_at
    from billing_events
    left join billed_plans
        on billing_events.billing_event_key = billed_plans.billing_event_key
    left join refunded_order_lines
        on billing_events.billing_event_key = refunded_order_lines.billing_event_key
        and refunded_order_lines.line_preference = 1

),

sales as (

    select * from order_line_sales
    union all
    select * from billing_sales

),

final as (

    select
        sales.sale_key,
        cast(sales.occurred_at as date) as sale_date,
        sales.occurred_at as sold_at,
        sales.business_line,
        sales.sale_type,
        sales.source_key,
        sales.order_key,
        sales.membership_key,
        sales.account_key,
        accounts.customer_key,
        coalesce(accounts.geography_key, 'unknown') as geography_key,
        sales.product_key,
        sales.quantity,
        sales.currency,
        cast(sales.gross_amount as decimal(18, 2)) as gross_amount,
        cast(sales.discount_amount as decimal(18, 2)) as discount_amount,
        cast(sales.refund_amount as decimal(18, 2)) as refund_amount,
        cast(sales.net_amount as decimal(18, 2)) as net_amount,
        cast(sales.gross_amount_usd as decimal(18, 2)) as gross_amount_usd,
        cast(sales.discount_amount_usd as decimal(18, 2)) as discount_amount_usd,
        cast(sales.refund_amount_usd as decimal(18, 2)) as refund_amount_usd,
        cast(sales.net_amount_usd as decimal(18, 2)) as net_amount_usd
    from sales
    left join accounts
        on sales.account_key = accounts.account_key

)

select * from final

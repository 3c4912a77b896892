-- One row per customer, month and business line with spend, next to the customer's spend across all four lines that month.

with

sales as (

    select * from {{ ref('fct_sales') }}

),

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

-- Sales are attributed to the customer the account belongs to now, so a later identity link moves
-- past spend to the right person.
customer_sales as (

    select
        accounts.customer_key,
        sales.*
    from sales
    inner join accounts
        on sales.account_key = accounts.account_key

),

line_month as (

    select
        {{ month_start('sale_date') }} as spend_month,
        customer_key,
        business_line,
        sum(case when sale_type <> 'refund' then 1 else 0 end) as purchase_count,
        sum(case when sale_type = 'refund' then 1 else 0 end) as refund_count,
        sum(gross_amount_usd) as gross_spend_usd,
        sum(discount_amount_usd) as discount_usd,
        sum(refund_amount_usd) as refund_usd,
        sum(net_amount_usd) as net_spend_usd
    from customer_sales
    group by 1, 2, 3

),

customer_month as (

    select
        spend_month,
        customer_key,
        sum(net_spend_usd) as customer_month_net_spend_usd,
        count(*) as customer_month_line_count
    from line_month
    group by 1, 2

),

final as (

    select
        {{ surrogate_key(['line_month.spend_month', 'line_month.customer_key', 'line_month.business_line']) }}
            as customer_spend_month_key,
        line_month.spend_month,
        line_month.customer_key,
        line_month.business_line,
        line_month.purchase_count,
        line_month.refund_count,
        cast(line_month.gross_spend_usd as decimal(18, 2)) as gross_spend_usd,
        cast(line_month.discount_usd as decimal(18, 2)) as discount_usd,
        cast(line_month.refund_usd as decimal(18, 2)) as refund_usd,
        cast(line_month.net_spend_usd as decimal(18, 2)) as net_spend_usd,
        cast(customer_month.customer_month_net_spend_usd as decimal(18, 2)) as customer_month_net_spend_usd,
        customer_month.customer_month_line_count,
        cast(
            round(
                cast(line_month.net_spend_usd as decimal(18, 4))
                / nullif(customer_month.customer_month_net_spend_usd, 0),
                4
            ) as decimal(9, 4)
        ) as share_of_customer_month_spend,
        customers.is_multi_line_customer,
        customers.business_line_count as customer_business_line_count
    from line_month
    inner join customer_month
        on line_month.spend_month = customer_month.spend_month
        and line_month.customer_key = customer_month.customer_key
    inner join customers
        on line_month.customer_key = customers.customer_key

)

select * from final

{{ config(meta={'dagster': {'ref': {'name': 'fct_customer_spend_monthly'}}}) }}

-- Customer spend per business line and month adds up to fct_sales to the cent: no sale was left without a customer.

with

spend as (

    select
        business_line,
        spend_month,
        sum(net_spend_usd) as net_spend_usd
    from {{ ref('fct_customer_spend_monthly') }}
    group by business_line, spend_month

),

sales as (

    select
        business_line,
        {{ month_start('sale_date') }} as spend_month,
        sum(net_amount_usd) as net_spend_usd
    from {{ ref('fct_sales') }}
    group by business_line, {{ month_start('sale_date') }}

),

final as (

    select
        coalesce(spend.business_line, sales.business_line) as business_line,
        coalesce(spend.spend_month, sales.spend_month) as spend_month,
        spend.net_spend_usd as customer_spend_usd,
        sales.net_spend_usd as sales_usd
    from spend
    full outer join sales
        on spend.business_line = sales.business_line
        and spend.spend_month = sales.spend_month
    where spend.net_spend_usd is null
        or sales.net_spend_usd is null
        or spend.net_spend_usd <> sales.net_spend_usd

)

select * from final

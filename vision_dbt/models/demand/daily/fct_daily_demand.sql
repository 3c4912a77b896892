{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        pre_hook="{{ delete_window('demand_date') }}",
        meta={'partition_expr': 'demand_date'},
    )
}}

-- One row per day, product, customer geography and business line with any sale, engagement or review.

with

sales as (

    select * from {{ ref('fct_sales') }}
    where {{ in_daily_window('sale_date') }}

),

engagement as (

    select * from {{ ref('fct_engagement') }}
    where {{ in_daily_window('activity_date') }}

),

reviews as (

    select * from {{ ref('fct_reviews') }}
    where {{ in_daily_window('review_date') }}

),

sales_by_cell as (

    select
        sale_date as demand_date,
        business_line,
        product_key,
        geography_key,
        sum(quantity) as units_sold,
        sum(case when sale_type <> 'refund' then 1 else 0 end) as purchase_count,
        sum(case when sale_type = 'refund' then 1 else 0 end) as refund_count,
        sum(gross_amount_usd) as gross_revenue_usd,
        sum(discount_amount_usd) as discount_usd,
        sum(refund_amount_usd) as refund_usd,
        sum(net_amount_usd) as net_revenue_usd,
        count(distinct case when sale_type <> 'refund' then customer_key end) as purchasing_customers
    from sales
    group by 1, 2, 3, 4

),

engagement_by_cell as (

    select
        activity_date as demand_date,
        business_line,
        product_key,
        geography_key,
        count(*) as engagement_events,
        sum(engaged_minutes) as engaged_minutes,
        count(distinct customer_key) as engaged_customers
    from engagement
    group by 1, 2, 3, 4

),

reviews_by_cell as (

    select
        review_date as demand_date,
        business_line,
        product_key,
        geography_key,
        count(*) as review_count,
        sum(rating) as rating_sum
    from reviews
    group by 1, 2, 3, 4

),

customers_by_cell as (

    select
        demand_date,
        business_line,
        product_key,
        geography_key,
        count(distinct customer_key) as distinct_customers
    from (
        select sale_date as demand_date, business_line, product_key, geography_key, customer_key from sales
        union all
        select activity_date, business_line, product_key, geography_key, customer_key from engagement
        union all
        select review_date, business_line, product_key, geography_key, customer_key from reviews
    ) as interactions
    group by 1, 2, 3, 4

),

final as (

    select
        {{ surrogate_key([
            'customers_by_cell.demand_date',
            'customers_by_cell.business_line',
            'customers_by_cell.product_key',
            'customers_by_cell.geography_key',
        ]) }} as demand_key,
        customers_by_cell.demand_date,
        customers_by_cell.business_line,
        customers_by_cell.product_key,
        customers_by_cell.geography_key,
        coalesce(sales_by_cell.units_sold, 0) as units_sold,
        coalesce(sales_by_cell.purchase_count, 0) as purchase_count,
        coalesce(sales_by_cell.refund_count, 0) as refund_count,
        cast(coalesce(sales_by_cell.gross_revenue_usd, 0) as decimal(18, 2)) as gross_revenue_usd,
        cast(coalesce(sales_by_cell.discount_usd, 0) as decimal(18, 2)) as discount_usd,
        cast(coalesce(sales_by_cell.refund_usd, 0) as decimal(18, 2)) as refund_usd,
        cast(coalesce(sales_by_cell.net_revenue_usd, 0) as decimal(18, 2)) as net_revenue_usd,
        coalesce(sales_by_cell.purchasing_customers, 0) as purchasing_customers,
        coalesce(engagement_by_cell.engagement_events, 0) as engagement_events,
        cast(coalesce(engagement_by_cell.engaged_minutes, 0) as decimal(18, 4)) as engaged_minutes,
        coalesce(engagement_by_cell.engaged_customers, 0) as engaged_customers,
        customers_by_cell.distinct_customers,
        coalesce(reviews_by_cell.review_count, 0) as review_count,
        coalesce(reviews_by_cell.rating_sum, 0) as rating_sum,
        cast(
            round(cast(reviews_by_cell.rating_sum as decimal(18, 4)) / reviews_by_cell.review_count, 2)
            as decimal(4, 2)
        ) as average_rating
    from customers_by_cell
    left join sales_by_cell
        on customers_by_cell.demand_date = sales_by_cell.demand_date
        and customers_by_cell.business_line = sales_by_cell.business_line
        and customers_by_cell.product_key = sales_by_cell.product_key
        and customers_by_cell.geography_key = sales_by_cell.geography_key
    left join engagement_by_cell
        on customers_by_cell.demand_date = engagement_by_cell.demand_date
        and customers_by_cell.business_line = engagement_by_cell.business_line
        and customers_by_cell.product_key = engagement_by_cell.product_key
        and customers_by_cell.geography_key = engagement_by_cell.geography_key
    left join reviews_by_cell
        on customers_by_cell.demand_date = reviews_by_cell.demand_date
        and customers_by_cell.business_line = reviews_by_cell.business_line
        and customers_by_cell.product_key = reviews_by_cell.product_key
        and customers_by_cell.geography_key = reviews_by_cell.geography_key

)

select * from final

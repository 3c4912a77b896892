-- One row per product and month with any sale, engagement or review: volume, revenue, reach and ratings side by side.

with

sales as (

    select * from {{ ref('fct_sales') }}

),

engagement as (

    select * from {{ ref('fct_engagement') }}

),

reviews as (

    select * from {{ ref('fct_reviews') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

sales_by_month as (

    select
        {{ month_start('sale_date') }} as performance_month,
        product_key,
        sum(quantity) as units_sold,
        sum(gross_amount_usd) as gross_revenue_usd,
        sum(refund_amount_usd) as refund_usd,
        sum(net_amount_usd) as net_revenue_usd,
        count(distinct case when sale_type <> 'refund' then customer_key end) as purchasing_customers
    from sales
    group by 1, 2

),

engagement_by_month as (

    select
        {{ month_start('activity_date') }} as performance_month,
        product_key,
        count(*) as engagement_events,
        sum(engaged_minutes) as engaged_minutes,
        count(distinct customer_key) as engaged_customers
    from engagement
    group by 1, 2

),

reviews_by_month as (

    select
        {{ month_start('review_date') }} as performance_month,
        product_key,
        count(*) as review_count,
        sum(case when has_review_text then 1 else 0 end) as written_review_count,
        sum(rating) as rating_sum,
        sum(case when rating = 1 then 1 else 0 end) as one_star_count,
        sum(case when rating = 2 then 1 else 0 end) as two_star_count,
        sum(case when rating = 3 then 1 else 0 end) as three_star_count,
        sum(case when rating = 4 then 1 else 0 end) as four_star_count,
        sum(case when rating = 5 then 1 else 0 end) as five_star_count
    from reviews
    group by 1, 2

),

product_months as (

    select performance_month, product_key from sales_by_month
    union
    select performance_month, product_key from engagement_by_month
    union
    select performance_month, product_key from reviews_by_month

),

final as (

    select
        {{ surrogate_key(['product_months.performance_month', 'product_months.product_key']) }}
            as product_month_key,
        product_months.performance_month,
        product_months.product_key,
        products.business_line,
        products.product_name,
        products.product_type,
        products.category,
        products.subcategory,
        products.creator_name,
        products.creator_type,
        coalesce(sales_by_month.units_sold, 0) as units_sold,
        cast(coalesce(sales_by_month.gross_revenue_usd, 0) as decimal(18, 2)) as gross_revenue_usd,
        cast(coalesce(sales_by_month.refund_usd, 0) as decimal(18, 2)) as refund_usd,
        cast(coalesce(sales_by_month.net_revenue_usd, 0) as decimal(18, 2)) as net_revenue_usd,
        coalesce(sales_by_month.purchasing_customers, 0) as purchasing_customers,
        coalesce(engagement_by_month.engagement_events, 0) as engagement_events,
        cast(coalesce(engagement_by_month.engaged_minutes, 0) as decimal(18, 4)) as engaged_minutes,
        coalesce(engagement_by_month.engaged_customers, 0) as engaged_customers,
        coalesce(reviews_by_month.review_count, 0) as review_count,
        coalesce(reviews_by_month.written_review_count, 0) as written_review_count,
        coalesce(reviews_by_month.rating_sum, 0) as rating_sum,
        cast(
            round(cast(reviews_by_month.rating_sum as decimal(18, 4)) / reviews_by_month.review_count, 2)
            as decimal(4, 2)
        ) as average_rating,
        coalesce(reviews_by_month.one_star_count, 0) as one_star_count,
        coalesce(reviews_by_month.two_star_count, 0) as two_star_count,
        coalesce(reviews_by_month.three_star_count, 0) as three_star_count,
        coalesce(reviews_by_month.four_star_count, 0) as four_star_count,
        coalesce(reviews_by_month.five_star_count, 0) as five_star_count
    from product_months
    inner join products
        on product_months.product_key = products.product_key
    left join sales_by_month
        on product_months.performance_month = sales_by_month.performance_month
        and product_months.product_key = sales_by_month.product_key
    left join engagement_by_month
        on product_months.performance_month = engagement_by_month.performance_month
        and product_months.product_key = engagement_by_month.product_key
    left join reviews_by_month
        on product_months.performance_month = reviews_by_month.performance_month
        and product_months.product_key = reviews_by_month.product_key

)

select * from final

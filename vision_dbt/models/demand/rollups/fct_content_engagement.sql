-- One row per title of Books, Flicks and Music and month: how people found, sampled, consumed and saved it.

with

engagement as (

    select * from {{ ref('fct_engagement') }}
    where business_line in ('books', 'flicks', 'music')

),

products as (

    select * from {{ ref('dim_product') }}

),

by_month as (

    select
        {{ month_start('activity_date') }} as activity_month,
        product_key,
        count(*) as engagement_events,
        sum(case when engagement_category = 'consume' then 1 else 0 end) as consume_events,
        sum(case when engagement_category = 'preview' then 1 else 0 end) as preview_events,
        sum(case when engagement_category = 'save' then 1 else 0 end) as save_events,
        sum(engaged_minutes) as engaged_minutes,
        sum(case when engagement_category = 'consume' then engaged_minutes else 0 end) as consumed_minutes,
        count(distinct customer_key) as engaged_customers,
        count(distinct case when engagement_category = 'consume' then customer_key end) as consuming_customers
    from engagement
    group by 1, 2

),

final as (

    select
        {{ surrogate_key(['by_month.activity_month', 'by_month.product_key']) }} as content_month_key,
        by_month.activity_month,
        by_month.product_key,
        products.business_line,
        products.product_name as title,
        products.product_type,
        products.genre,
        products.subcategory,
        products.creator_name,
        products.creator_type,
        by_month.engagement_events,
        by_month.consume_events,
        by_month.preview_events,
        by_month.save_events,
        cast(by_month.engaged_minutes as decimal(18, 4)) as engaged_minutes,
        cast(by_month.consumed_minutes as decimal(18, 4)) as consumed_minutes,
        by_month.engaged_customers,
        by_month.consuming_customers,
        cast(
            round(cast(by_month.consumed_minutes as decimal(18, 4)) / nullif(by_month.consuming_customers, 0), 2)
            as decimal(18, 2)
        ) as consumed_minutes_per_consuming_customer
    from by_month
    inner join products
        on by_month.product_key = products.product_key

)

select * from final

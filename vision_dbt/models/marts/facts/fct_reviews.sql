{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        pre_hook="{{ delete_window('review_date') }}",
        meta={'partition_expr': 'review_date'},
    )
}}

-- One row per rating or review a customer gave to a book, a title, a track or a marketplace product.

with

reviews as (

    {% for line in ['books', 'flicks', 'music', 'mart'] -%}
    select
        review_key,
        business_line,
        review_id,
        account_key,
        product_key,
        rating,
        review_text,
        has_review_text,
        occurred_at
    from {{ ref('stg_' ~ line ~ '__reviews') }}
    where {{ in_daily_window('occurred_at') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

final as (

    select
        reviews.review_key,
        cast(reviews.occurred_at as date) as review_date,
        reviews.occurred_at as reviewed_at,
        reviews.business_line,
        reviews.review_id,
        reviews.account_key,
        accounts.customer_key,
        coalesce(accounts.geography_key, 'unknown') as geography_key,
        reviews.product_key,
        reviews.rating,
        reviews.has_review_text,
        reviews.review_text
    from reviews
    left join accounts
        on reviews.account_key = accounts.account_key

)

select * from final

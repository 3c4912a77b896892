{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        pre_hook="{{ delete_window('activity_date') }}",
        meta={'partition_expr': 'activity_date'},
    )
}}

-- One row per engagement event: a read, sample or wish-list add, a stream or trailer, a play or skip, a product page view.

with

books as (

    select
        engagement_key,
        business_line,
        event_id,
        account_key,
        product_key,
        event_type,
        engagement_category,
        engaged_minutes,
        cast(null as varchar) as device,
        occurred_at
    from {{ ref('stg_books__engagement') }}
    where {{ in_daily_window('occurred_at') }}

),

flicks as (

    select
        engagement_key,
        business_line,
        event_id,
        account_key,
        product_key,
        event_type,
        engagement_category,
        engaged_minutes,
        device,
        occurred_at
    from {{ ref('stg_flicks__engagement') }}
    where {{ in_daily_window('occurred_at') }}

),

music as (

    select
        engagement_key,
        business_line,
        event_id,
        account_key,
        product_key,
        event_type,
        engagement_category,
        engaged_minutes,
        cast(null as varchar) as device,
        occurred_at
    from {{ ref('stg_music__engagement') }}
    where {{ in_daily_window('occurred_at') }}

),

mart as (

    select
        engagement_key,
        business_line,
        event_id,
        account_key,
        product_key,
        event_type,
        engagement_category,
        engaged_minutes,
        cast(null as varchar) as device,
        occurred_at
    from {{ ref('stg_mart__engagement') }}
    where {{ in_daily_window('occurred_at') }}

),

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

events as (

    select * from books
    union all
    select * from flicks
    union all
    select * from music
    union all
    select * from mart

),

final as (

    select
        events.engagement_key,
        cast(events.occurred_at as date) as activity_date,
        events.occurred_at as engaged_at,
        events.business_line,
        events.event_id,
        events.event_type,
        events.engagement_category,
        events.account_key,
        accounts.customer_key,
        coalesce(accounts.geography_key, 'unknown') as geography_key,
        events.product_key,
        cast(events.engaged_minutes as decimal(18, 4)) as engaged_minutes,
        events.device
    from events
    left join accounts
        on events.account_key = accounts.account_key

)

select * from final

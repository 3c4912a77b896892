-- One row per Vision Mart engagement event, with time spent in minutes.

{{ incremental_staging_config('engagement_key') }}

with

{{ events_to_restage(
    source('raw', 'mart_engagement'), landed_id='event_id', landed_at='occurred_at', staged_id='event_id'
) }}

source as (

    select * from {{ source('raw', 'mart_engagement') }}
    {{ where_event_restaged('event_id') }}

),

renamed as (

    select
        'mart' as business_line,
        'mart:' || trim(event_id) as engagement_key,
        trim(event_id) as event_id,
        'mart:' || trim(shopper_id) as account_key,
        trim(shopper_id) as account_id,
        'mart:' || trim(product_id) as product_key,
        trim(product_id) as product_id,
        lower(trim(event_type)) as event_type,
        case lower(trim(event_type))
            when 'view' then 'browse'
            when 'wishlist' then 'save'
            when 'add_to_cart' then 'cart'
        end as engagement_category,
        cast(cast(duration_seconds as decimal(18, 4)) / 60 as decimal(18, 4)) as engaged_minutes,
        occurred_at as occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'event_id') }}

),

final as (

    select
        engagement_key,
        business_line,
        event_id,
        account_key,
        account_id,
        product_key,
        product_id,
        event_type,
        engagement_category,
        engaged_minutes,
        occurred_at,
        loaded_at
    from copies
    where copy_rank = 1

)

{{ select_restaged('final', 'engagement_key') }}

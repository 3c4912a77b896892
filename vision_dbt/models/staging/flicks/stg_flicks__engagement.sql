-- One row per Vision Flicks engagement event, with time spent in minutes.

{{ incremental_staging_config('engagement_key') }}

with

{{ events_to_restage(
    source('raw', 'flicks_engagement'), landed_id='view_id', landed_at='started_at', staged_id='event_id'
) }}

source as (

    select * from {{ source('raw', 'flicks_engagement') }}
    {{ where_event_restaged('view_id') }}

),

renamed as (

    select
        'flicks' as business_line,
        'flicks:' || trim(view_id) as engagement_key,
        trim(view_id) as event_id,
        'flicks:' || trim(account_id) as account_key,
        trim(account_id) as account_id,
        'flicks:' || trim(title_id) as product_key,
        trim(title_id) as product_id,
        lower(trim(event_type)) as event_type,
        case lower(trim(event_type))
            when 'stream' then 'consume'
            when 'trailer' then 'preview'
            when 'watchlist' then 'save'
        end as engagement_category,
        cast(minutes_watched as decimal(18, 4)) as engaged_minutes,
        lower(trim(device)) as device,
        started_at as occurred_at,
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
        device,
        occurred_at,
        loaded_at
    from copies
    where copy_rank = 1

)

{{ select_restaged('final', 'engagement_key') }}

-- One row per Vision Music engagement event, with time spent in minutes.

{{ incremental_staging_config('engagement_key') }}

with

{{ events_to_restage(
    source('raw', 'music_engagement'), landed_id='listen_id', landed_at='listened_at', staged_id='event_id'
) }}

source as (

    select * from {{ source('raw', 'music_engagement') }}
    {{ where_event_restaged('listen_id') }}

),

renamed as (

    select
        'music' as business_line,
        'music:' || trim(listen_id) as engagement_key,
        trim(listen_id) as event_id,
        'music:' || trim(listener_id) as account_key,
        trim(listener_id) as account_id,
        'music:' || trim(track_id) as product_key,
        trim(track_id) as product_id,
        lower(trim(event_type)) as event_type,
        case lower(trim(event_type))
            when 'listen' then 'consume'
            when 'skip' then 'preview'
            when 'like' then 'save'
            when 'playlist_add' then 'save'
        end as engagement_category,
        cast(cast(seconds_played as decimal(18, 4)) / 60 as decimal(18, 4)) as engaged_minutes,
        listened_at as occurred_at,
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

-- One row per Vision Books engagement event, with time spent in minutes.

{{ incremental_staging_config('engagement_key') }}

with

{{ events_to_restage(
    source('raw', 'books_engagement'), landed_id='event_id', landed_at='occurred_at', staged_id='event_id'
) }}

source as (

    select * from {{ source('raw', 'books_engagement') }}
    {{ where_event_restaged('event_id') }}

),

renamed as (

    select
        'books' as business_line,
        'books:' || trim(event_id) as engagement_key,
        trim(event_id) as event_id,
        'books:' || trim(customer_id) as account_key,
        trim(customer_id) as account_id,
        'books:' || trim(book_id) as product_key,
        trim(book_id) as product_id,
        lower(trim(event_type)) as event_type,
        case lower(trim(event_type))
            when 'read' then 'consume'
            when 'sample' then 'preview'
            when 'wishlist' then 'save'
        end as engagement_category,
        cast(minutes as decimal(18, 4)) as engaged_minutes,
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

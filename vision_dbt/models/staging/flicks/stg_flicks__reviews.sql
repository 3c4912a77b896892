-- One row per Vision Flicks review or rating.

{{ incremental_staging_config('review_key') }}

with

{{ events_to_restage(
    source('raw', 'flicks_reviews'), landed_id='rating_id', landed_at='rated_at', staged_id='review_id'
) }}

source as (

    select * from {{ source('raw', 'flicks_reviews') }}
    {{ where_event_restaged('rating_id') }}

),

renamed as (

    select
        'flicks' as business_line,
        'flicks:' || trim(rating_id) as review_key,
        trim(rating_id) as review_id,
        'flicks:' || trim(account_id) as account_key,
        trim(account_id) as account_id,
        'flicks:' || trim(title_id) as product_key,
        trim(title_id) as product_id,
        cast(stars as integer) as rating,
        nullif(trim(review_text), '') as review_text,
        rated_at as occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'review_id') }}

),

final as (

    select
        review_key,
        business_line,
        review_id,
        account_key,
        account_id,
        product_key,
        product_id,
        rating,
        review_text,
        review_text is not null as has_review_text,
        occurred_at,
        loaded_at
    from copies
    where copy_rank = 1

)

{{ select_restaged('final', 'review_key') }}

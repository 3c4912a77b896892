-- One row per Vision Books review or rating.

{{ incremental_staging_config('review_key') }}

with

{{ events_to_restage(
    source('raw', 'books_reviews'), landed_id='review_id', landed_at='reviewed_at', staged_id='review_id'
) }}

source as (

    select * from {{ source('raw', 'books_reviews') }}
    {{ where_event_restaged('review_id') }}

),

renamed as (

    select
        'books' as business_line,
        'books:' || trim(review_id) as review_key,
        trim(review_id) as review_id,
        'books:' || trim(customer_id) as account_key,
        trim(customer_id) as account_id,
        'books:' || trim(book_id) as product_key,
        trim(book_id) as product_id,
        cast(rating as integer) as rating,
        nullif(trim(review_text), '') as review_text,
        reviewed_at as occurred_at,
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

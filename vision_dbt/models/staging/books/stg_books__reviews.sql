-- One row per Vision Books review or rating.
-- The shared shape is in macros/staging/reviews.sql; this line's export names its columns.

{{ incremental_staging_config('review_key') }}

{{ stage_reviews(
    'books', review_column='review_id', account_column='customer_id', product_column='book_id',
    rating_column='rating', event_time_column='reviewed_at'
) }}

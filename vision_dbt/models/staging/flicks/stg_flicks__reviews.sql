-- One row per Vision Flicks review or rating.
-- The shared shape is in macros/staging/reviews.sql; this line's export names its columns.

{{ incremental_staging_config('review_key') }}

{{ stage_reviews(
    'flicks', review_column='rating_id', account_column='account_id', product_column='title_id',
    rating_column='stars', event_time_column='rated_at'
) }}

-- One row per Vision Music review or rating.
-- The shared shape is in macros/staging/reviews.sql; this line's export names its columns.

{{ incremental_staging_config('review_key') }}

{{ stage_reviews(
    'music', review_column='review_id', account_column='listener_id', product_column='track_id',
    rating_column='rating', event_time_column='reviewed_at'
) }}

-- One row per Vision Mart review or rating.
-- The shared shape is in macros/staging/reviews.sql; this line's export names its columns.

{{ incremental_staging_config('review_key') }}

{{ stage_reviews(
    'mart', review_column='review_id', account_column='shopper_id', product_column='product_id',
    rating_column='rating', event_time_column='reviewed_at'
) }}

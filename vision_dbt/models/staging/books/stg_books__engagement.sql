-- One row per Vision Books engagement event, with time spent in minutes.
-- The shared shape is in macros/staging/engagement.sql; this line's export names its columns and event types.

{{ incremental_staging_config('engagement_key') }}

{{ stage_engagement(
    'books', event_column='event_id', account_column='customer_id', product_column='book_id',
    event_time_column='occurred_at', minutes_column='minutes',
    categories={'read': 'consume', 'sample': 'preview', 'wishlist': 'save'}
) }}

-- One row per Vision Mart engagement event, with time spent in minutes.
-- The shared shape is in macros/staging/engagement.sql; this line's export names its columns and event types.
-- Vision Mart counts seconds on a page; a shopper browses, saves or puts in the cart, never consumes.

{{ incremental_staging_config('engagement_key') }}

{{ stage_engagement(
    'mart', event_column='event_id', account_column='shopper_id', product_column='product_id',
    event_time_column='occurred_at', seconds_column='duration_seconds',
    categories={'view': 'browse', 'wishlist': 'save', 'add_to_cart': 'cart'}
) }}

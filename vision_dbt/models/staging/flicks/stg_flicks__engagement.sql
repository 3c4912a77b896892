-- One row per Vision Flicks engagement event, with time spent in minutes.
-- The shared shape is in macros/staging/engagement.sql; this line's export names its columns and event types.
-- Vision Flicks also exports the device a title was watched on (tv, mobile, tablet or web).

{{ incremental_staging_config('engagement_key') }}

{{ stage_engagement(
    'flicks', event_column='view_id', account_column='account_id', product_column='title_id',
    event_time_column='started_at', minutes_column='minutes_watched',
    categories={'stream': 'consume', 'trailer': 'preview', 'watchlist': 'save'},
    line_columns={'device': 'lower(trim(device))'}
) }}

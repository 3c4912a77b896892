-- One row per Vision Music engagement event, with time spent in minutes.
-- The shared shape is in macros/staging/engagement.sql; this line's export names its columns and event types.
-- Vision Music counts seconds played; a like and a playlist add both save a track.

{{ incremental_staging_config('engagement_key') }}

{{ stage_engagement(
    'music', event_column='listen_id', account_column='listener_id', product_column='track_id',
    event_time_column='listened_at', seconds_column='seconds_played',
    categories={'listen': 'consume', 'skip': 'preview', 'like': 'save', 'playlist_add': 'save'}
) }}

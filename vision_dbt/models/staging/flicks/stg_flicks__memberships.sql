-- One row per change to a Vision Flicks subscription; is_current_state marks its latest (current) row.
-- The shared shape is in macros/staging/memberships.sql; this line's export names its columns.

{{ incremental_staging_config('membership_change_key') }}

{{ stage_memberships('flicks', membership_column='subscription_id', account_column='account_id') }}

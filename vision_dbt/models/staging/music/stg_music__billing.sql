-- One row per Vision Music billing event, with its amount in local currency and in USD.
-- The shared shape is in macros/staging/billing.sql; this line's export names its columns.

{{ incremental_staging_config('billing_event_key') }}

{{ stage_billing('music', account_column='listener_id', membership_column='subscription_id') }}

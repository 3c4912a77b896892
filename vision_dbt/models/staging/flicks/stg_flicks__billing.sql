-- One row per Vision Flicks billing event, with its amount in local currency and in USD.
-- The shared shape is in macros/staging/billing.sql; this line's export names its columns.

{{ incremental_staging_config('billing_event_key') }}

{{ stage_billing('flicks', account_column='account_id', membership_column='subscription_id') }}

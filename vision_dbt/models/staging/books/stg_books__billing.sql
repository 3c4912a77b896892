-- One row per Vision Books billing event, with its amount in local currency and in USD.
-- The shared shape is in macros/staging/billing.sql; this line's export names its columns.

{{ incremental_staging_config('billing_event_key') }}

{{ stage_billing('books', account_column='customer_id', membership_column='membership_id', with_orders=true) }}

-- One row per Vision Flicks account: the latest exported version of each account.
-- The shared shape is in macros/staging/customers.sql; this line's export names its columns.

{{ stage_customers(
    'flicks', account_column='account_id', name_column='display_name', email_column='email_address',
    country_column='country_code', region_column='state_or_region', signed_up_at_column='created_at'
) }}

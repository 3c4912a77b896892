-- One row per Vision Music account: the latest exported version of each listener.
-- The shared shape is in macros/staging/customers.sql; this line's export names its columns.

{{ stage_customers(
    'music', account_column='listener_id', name_column='name', email_column='email',
    country_column='country', region_column='region', signed_up_at_column='joined_at'
) }}

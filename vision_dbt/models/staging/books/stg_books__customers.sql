-- One row per Vision Books account: the latest exported version of each customer.
-- The shared shape is in macros/staging/customers.sql; this line's export names its columns.

{{ stage_customers(
    'books', account_column='customer_id', name_column='full_name', email_column='email',
    country_column='country', region_column='region', signed_up_at_column='signup_at'
) }}

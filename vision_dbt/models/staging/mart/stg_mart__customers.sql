-- One row per Vision Mart account: the latest exported version of each shopper.
-- The shared shape is in macros/staging/customers.sql; this line's export names its columns.
-- Vision Mart alone exports the billing address's postal code.

{{ stage_customers(
    'mart', account_column='shopper_id', name_column='full_name', email_column='email',
    country_column='country', region_column='region', signed_up_at_column='registered_at',
    line_columns={'postal_code': "nullif(trim(postal_code), '')"}
) }}

-- One row per Vision Mart order line, with its amounts in local currency and in USD.
-- The shared shape is in macros/staging/orders.sql; this line's export names its columns.

{{ incremental_staging_config('order_line_key') }}

{{ stage_order_lines('mart', account_column='shopper_id', product_column='product_id') }}

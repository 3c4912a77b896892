-- One row per Vision Books order line, with its amounts in local currency and in USD.
-- The shared shape is in macros/staging/orders.sql; this line's export names its columns.

{{ incremental_staging_config('order_line_key') }}

{{ stage_order_lines('books', account_column='customer_id', product_column='book_id') }}

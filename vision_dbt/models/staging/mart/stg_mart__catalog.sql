-- One row per Vision Mart product: the latest exported version of each.
-- The shared shape is in macros/staging/catalog.sql; this line's export names its columns.

{{ stage_catalog('mart', product_column='product_id', line_columns={
    'sku': "nullif(trim(sku), '')",
    'product_name': "nullif(trim(product_name), '')",
    'category': "nullif(trim(category), '')",
    'subcategory': "nullif(trim(subcategory), '')",
    'brand': "nullif(trim(brand), '')",
    'list_price': 'cast(list_price as decimal(18, 2))',
    'currency': 'upper(trim(currency))',
}) }}

-- One row per Vision Books book: the latest exported version of each.
-- The shared shape is in macros/staging/catalog.sql; this line's export names its columns.

{{ stage_catalog('books', product_column='book_id', line_columns={
    'isbn': "nullif(trim(isbn), '')",
    'product_name': "nullif(trim(title), '')",
    'author': "nullif(trim(author), '')",
    'genre': 'lower(trim(genre))',
    'book_format': 'lower(trim(format))',
    'list_price': 'cast(list_price as decimal(18, 2))',
    'currency': 'upper(trim(currency))',
    'published_year': 'cast(published_year as integer)',
}) }}

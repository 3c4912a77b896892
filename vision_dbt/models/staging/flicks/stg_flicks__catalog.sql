-- One row per Vision Flicks title: the latest exported version of each.
-- The shared shape is in macros/staging/catalog.sql; this line's export names its columns.

{{ stage_catalog('flicks', product_column='title_id', line_columns={
    'product_name': "nullif(trim(title), '')",
    'title_type': 'lower(trim(title_type))',
    'genre': 'lower(trim(genre))',
    'studio': "nullif(trim(studio), '')",
    'release_year': 'cast(release_year as integer)',
    'runtime_minutes': 'cast(runtime_minutes as integer)',
}) }}

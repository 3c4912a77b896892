-- One row per Vision Music track: the latest exported version of each.
-- The shared shape is in macros/staging/catalog.sql; this line's export names its columns.

{{ stage_catalog('music', product_column='track_id', line_columns={
    'product_name': "nullif(trim(track_name), '')",
    'artist': "nullif(trim(artist), '')",
    'album': "nullif(trim(album), '')",
    'genre': 'lower(trim(genre))',
    'duration_seconds': 'cast(duration_seconds as integer)',
    'release_year': 'cast(release_year as integer)',
}) }}

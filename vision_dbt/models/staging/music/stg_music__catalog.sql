-- One row per Vision Music track: the latest exported version of each.

with

source as (

    select * from {{ source('raw', 'music_catalog') }}

),

renamed as (

    select
        'music' as business_line,
        'music:' || trim(track_id) as product_key,
        trim(track_id) as product_id,
        nullif(trim(track_name), '') as product_name,
        nullif(trim(artist), '') as artist,
        nullif(trim(album), '') as album,
        lower(trim(genre)) as genre,
        cast(duration_seconds as integer) as duration_seconds,
        cast(release_year as integer) as release_year,
        updated_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

versions as (

    {{ rank_landed_copies('renamed', 'product_id', newest_first='updated_at desc, loaded_at desc, source_file desc') }}

),

final as (

    select
        product_key,
        business_line,
        product_id,
        product_name,
        artist,
        album,
        genre,
        duration_seconds,
        release_year,
        updated_at,
        loaded_at
    from versions
    where copy_rank = 1

)

select * from final

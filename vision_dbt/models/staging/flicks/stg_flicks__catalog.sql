-- One row per Vision Flicks title: the latest exported version of each.

with

source as (

    select * from {{ source('raw', 'flicks_catalog') }}

),

renamed as (

    select
        'flicks' as business_line,
        'flicks:' || trim(title_id) as product_key,
        trim(title_id) as product_id,
        nullif(trim(title), '') as product_name,
        lower(trim(title_type)) as title_type,
        lower(trim(genre)) as genre,
        nullif(trim(studio), '') as studio,
        cast(release_year as integer) as release_year,
        cast(runtime_minutes as integer) as runtime_minutes,
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
        title_type,
        genre,
        studio,
        release_year,
        runtime_minutes,
        updated_at,
        loaded_at
    from versions
    where copy_rank = 1

)

select * from final

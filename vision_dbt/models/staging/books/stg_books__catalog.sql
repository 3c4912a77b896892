-- One row per Vision Books book: the latest exported version of each.

with

source as (

    select * from {{ source('raw', 'books_catalog') }}

),

rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        'books' as business_line,
        'books:' || trim(book_id) as product_key,
        trim(book_id) as product_id,
        nullif(trim(isbn), '') as isbn,
        nullif(trim(title), '') as product_name,
        nullif(trim(author), '') as author,
        lower(trim(genre)) as genre,
        lower(trim(format)) as book_format,
        cast(list_price as decimal(18, 2)) as list_price,
        upper(trim(currency)) as currency,
        cast(published_year as integer) as published_year,
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
        versions.product_key,
        versions.business_line,
        versions.product_id,
        versions.isbn,
        versions.product_name,
        versions.author,
        versions.genre,
        versions.book_format,
        versions.list_price,
        versions.currency,
        {{ to_usd('versions.list_price', 'rates.units_per_usd') }} as list_price_usd,
        versions.published_year,
        versions.updated_at,
        versions.loaded_at
    from versions
    left join rates
        on versions.currency = rates.currency
    where versions.copy_rank = 1

)

select * from final

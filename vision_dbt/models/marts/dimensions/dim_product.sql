-- One catalog of everything Vision sells or streams: books, films and series, tracks, marketplace products and membership plans.

with

books as (

    select * from {{ ref('stg_books__catalog') }}

),

titles as (

    select * from {{ ref('stg_flicks__catalog') }}

),

tracks as (

    select * from {{ ref('stg_music__catalog') }}

),

marketplace as (

    select * from {{ ref('stg_mart__catalog') }}

),

memberships as (

    select * from {{ ref('int_membership_changes') }}

),

book_products as (

    select
        product_key,
        business_line,
        product_id,
        product_name,
        'book' as product_type,
        genre as category,
        book_format as subcategory,
        genre,
        author as creator_name,
        'author' as creator_type,
        cast(null as varchar) as album,
        isbn,
        cast(null as varchar) as sku,
        published_year as release_year,
        cast(null as decimal(18, 2)) as duration_minutes,
        list_price_usd
    from books

),

title_products as (

    select
        product_key,
        business_line,
        product_id,
        product_name,
        title_type as product_type,
        genre as category,
        title_type as subcategory,
        genre,
        studio as creator_name,
        'studio' as creator_type,
        cast(null as varchar) as album,
        cast(null as varchar) as isbn,
        cast(null as varchar) as sku,
        release_year,
        cast(runtime_minutes as decimal(18, 2)) as duration_minutes,
        cast(null as decimal(18, 2)) as list_price_usd
    from titles

),

track_products as (

    select
        product_key,
        business_line,
        product_id,
        product_name,
        'track' as product_type,
        genre as category,
        album as subcategory,
        genre,
        artist as creator_name,
        'artist' as creator_type,
        album,
        cast(null as varchar) as isbn,
        cast(null as varchar) as sku,
        release_year,
        cast(round(duration_seconds / 60.0, 2) as decimal(18, 2)) as duration_minutes,
        cast(null as decimal(18, 2)) as list_price_usd
    from tracks

),

marketplace_products as (

    select
        product_key,
        business_line,
        product_id,
        product_name,
        'marketplace_product' as product_type,
        category,
        subcategory,
        cast(null as varchar) as genre,
        brand as creator_name,
        'brand' as creator_type,
        cast(null as varchar) as album,
        cast(null as varchar) as isbn,
        sku,
        cast(null as integer) as release_year,
        cast(null as decimal(18, 2)) as duration_minutes,
        list_price_usd
    from marketplace

),

plans as (

    select distinct
        business_line,
        plan
    from memberships

),

plan_products as (

    select
        business_line || ':plan:' || plan as product_key,
        business_line,
        'plan:' || plan as product_id,
        case business_line
            when 'books' then 'Vision Books'
            when 'flicks' then 'Vision Flicks'
            when 'music' then 'Vision Music'
            when 'mart' then 'Vision Mart'
        end || ' ' || plan || ' plan' as product_name,
        'membership_plan' as product_type,
        'membership' as category,
        plan as subcategory,
        cast(null as varchar) as genre,
        cast(null as varchar) as creator_name,
        cast(null as varchar) as creator_type,
        cast(null as varchar) as album,
        cast(null as varchar) as isbn,
        cast(null as varchar) as sku,
        cast(null as integer) as release_year,
        cast(null as decimal(18, 2)) as duration_minutes,
        cast(null as decimal(18, 2)) as list_price_usd
    from plans

),

final as (

    select * from book_products
    union all
    select * from title_products
    union all
    select * from track_products
    union all
    select * from marketplace_products
    union all
    select * from plan_products

)

select * from final

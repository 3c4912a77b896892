-- One row per Vision Mart product: the latest exported version of each.

with

source as (

    select * from {{ source('raw', 'mart_catalog') }}

),

rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        'mart' as business_line,
        'mart:' || trim(product_id) as product_key,
        trim(product_id) as product_id,
        nullif(trim(sku), '') as sku,
        nullif(trim(product_name), '') as product_name,
        nullif(trim(category), '') as category,
        nullif(trim(subcategory), '') as subcategory,
        nullif(trim(brand), '') as brand,
        cast(list_price as decimal(18, 2)) as list_price,
        upper(trim(currency)) as currency,
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
        versions.sku,
        versions.product_name,
        versions.category,
        versions.subcategory,
        versions.brand,
        versions.list_price,
        versions.currency,
        {{ to_usd('versions.list_price', 'rates.units_per_usd') }} as list_price_usd,
        versions.updated_at,
        versions.loaded_at
    from versions
    left join rates
        on versions.currency = rates.currency
    where versions.copy_rank = 1

)

select * from final

-- One row per Vision Books account: the latest exported version of each customer.

with

source as (

    select * from {{ source('raw', 'books_customers') }}

),

renamed as (

    select
        'books' as business_line,
        'books:' || trim(customer_id) as account_key,
        trim(customer_id) as account_id,
        nullif(trim(full_name), '') as customer_name,
        nullif(trim(email), '') as email,
        upper(trim(country)) as country_code,
        nullif(trim(region), '') as region,
        nullif(trim(city), '') as city,
        {{ geography_key('country', 'region', 'city') }} as geography_key,
        signup_at as signed_up_at,
        updated_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

versions as (

    {{ rank_landed_copies('renamed', 'account_id', newest_first='updated_at desc, loaded_at desc, source_file desc') }}

),

final as (

    select
        account_key,
        business_line,
        account_id,
        customer_name,
        email,
        country_code,
        region,
        city,
        geography_key,
        signed_up_at,
        updated_at,
        loaded_at
    from versions
    where copy_rank = 1

)

select * from final

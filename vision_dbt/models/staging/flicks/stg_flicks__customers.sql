-- One row per Vision Flicks account: the latest exported version of each account.

with

source as (

    select * from {{ source('raw', 'flicks_customers') }}

),

renamed as (

    select
        'flicks' as business_line,
        'flicks:' || trim(account_id) as account_key,
        trim(account_id) as account_id,
        nullif(trim(display_name), '') as customer_name,
        nullif(trim(email_address), '') as email,
        upper(trim(country_code)) as country_code,
        nullif(trim(state_or_region), '') as region,
        nullif(trim(city), '') as city,
        {{ geography_key('country_code', 'state_or_region', 'city') }} as geography_key,
        created_at as signed_up_at,
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

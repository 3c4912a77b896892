-- One row per billing place (country, region, city) any account of the four businesses has, plus an 'unknown' place.

with

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

places as (

    select
        geography_key,
        min(country_code) as country_code,
        min(region) as region,
        min(city) as city,
        count(*) as account_count
    from accounts
    group by geography_key

),

residents as (

    select
        geography_key,
        count(*) as customer_count
    from customers
    group by geography_key

),

known as (

    select
        places.geography_key,
        places.country_code,
        coalesce(countries.country_name, places.country_code) as country_name,
        places.region,
        places.city,
        places.account_count,
        coalesce(residents.customer_count, 0) as customer_count
    from places
    left join countries
        on places.country_code = countries.country_code
    left join residents
        on places.geography_key = residents.geography_key

),

unknown as (

    select
        'unknown' as geography_key,
        cast(null as varchar) as country_code,
        'Unknown' as country_name,
        cast(null as varchar) as region,
        cast(null as varchar) as city,
        0 as account_count,
        0 as customer_count

),

final as (

    select * from known
    union all
    select * from unknown

)

select * from final

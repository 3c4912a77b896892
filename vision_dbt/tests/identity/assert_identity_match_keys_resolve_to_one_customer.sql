-- Identity resolution converged: accounts sharing a match key (normalised email, or name with billing place)
-- always end in the same customer. A failure means var('identity_link_rounds') is too low for a chain of
-- accounts in the data, and that chain was split into several customers.

with

accounts as (

    select * from {{ ref('bridge_customer_account') }}

),

match_keys as (

    select
        'email' as match_key_type,
        email_match_key as match_key,
        customer_key
    from accounts
    where email_match_key is not null

    union all

    select
        'name_geography' as match_key_type,
        name_geography_match_key as match_key,
        customer_key
    from accounts
    where name_geography_match_key is not null

),

final as (

    select
        match_key_type,
        match_key,
        count(distinct customer_key) as customer_count
    from match_keys
    group by match_key_type, match_key
    having count(distinct customer_key) > 1

)

select * from final

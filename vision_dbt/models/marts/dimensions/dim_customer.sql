-- One row per real person across Vision Books, Flicks, Music and Mart, as identity resolution grouped their accounts.

with

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

latest_account as (

    select
        *,
        row_number() over (
            partition by customer_key
            order by updated_at desc, account_key
        ) as recency_rank
    from accounts

),

latest_email as (

    select
        customer_key,
        normalized_email,
        row_number() over (
            partition by customer_key
            order by updated_at desc, account_key
        ) as recency_rank
    from accounts
    where normalized_email is not null

),

account_summary as (

    select
        customer_key,
        min(signed_up_at) as first_signed_up_at,
        count(*) as account_count,
        count(distinct business_line) as business_line_count,
        max(case when business_line = 'books' then 1 else 0 end) = 1 as has_books_account,
        max(case when business_line = 'flicks' then 1 else 0 end) = 1 as has_flicks_account,
        max(case when business_line = 'music' then 1 else 0 end) = 1 as has_music_account,
        max(case when business_line = 'mart' then 1 else 0 end) = 1 as has_mart_account
    from accounts
    group by customer_key

),

anchor as (

    select
        customer_key,
        business_line as first_business_line
    from accounts
    where is_anchor_account

),

final as (

    select
        latest_account.customer_key,
        latest_account.customer_name,
        latest_account.normalized_name as matched_name,
        latest_email.normalized_email as primary_email,
        latest_account.country_code,
        latest_account.region,
        latest_account.city,
        latest_account.geography_key,
        account_summary.first_signed_up_at,
        anchor.first_business_line,
        account_summary.account_count,
        account_summary.business_line_count,
        account_summary.business_line_count > 1 as is_multi_line_customer,
        account_summary.has_books_account,
        account_summary.has_flicks_account,
        account_summary.has_music_account,
        account_summary.has_mart_account
    from latest_account
    inner join account_summary
        on latest_account.customer_key = account_summary.customer_key
    inner join anchor
        on latest_account.customer_key = anchor.customer_key
    left join latest_email
        on latest_account.customer_key = latest_email.customer_key
        and latest_email.recency_rank = 1
    where latest_account.recency_rank = 1

)

select * from final

-- One row per Vision Flicks billing event, with its amount in local currency and in USD.

with

source as (

    select * from {{ source('raw', 'flicks_billing') }}

),

rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        'flicks' as business_line,
        'flicks:' || trim(billing_event_id) as billing_event_key,
        trim(billing_event_id) as billing_event_id,
        'flicks:' || trim(account_id) as account_key,
        trim(account_id) as account_id,
        'flicks:' || nullif(trim(subscription_id), '') as membership_key,
        nullif(trim(subscription_id), '') as membership_id,
        lower(trim(event_type)) as event_type,
        cast(amount as decimal(18, 2)) as amount,
        upper(trim(currency)) as currency,
        occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    select
        *,
        row_number() over (
            partition by billing_event_id
            order by loaded_at desc, source_file desc
        ) as copy_rank
    from renamed

),

final as (

    select
        copies.billing_event_key,
        copies.business_line,
        copies.billing_event_id,
        copies.account_key,
        copies.account_id,
        copies.membership_key,
        copies.membership_id,
        copies.event_type,
        copies.amount,
        copies.currency,
        {{ to_usd('copies.amount', 'rates.units_per_usd') }} as amount_usd,
        cast(case copies.event_type
            when 'payment' then 1
            when 'refund' then -1
            else 0
        end * copies.amount as decimal(18, 2)) as signed_amount,
        cast(case copies.event_type
            when 'payment' then 1
            when 'refund' then -1
            else 0
        end * {{ to_usd('copies.amount', 'rates.units_per_usd') }} as decimal(18, 2)) as signed_amount_usd,
        copies.occurred_at,
        copies.loaded_at
    from copies
    left join rates
        on copies.currency = rates.currency
    where copies.copy_rank = 1

)

select * from final

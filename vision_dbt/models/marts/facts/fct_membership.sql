{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        pre_hook="{{ delete_window('status_date') }}",
        meta={'partition_expr': 'status_date'},
    )
}}

-- One row per membership and day: every day it is active, and the day it ends (cancelled or lapsed).

with

membership_changes as (

    select * from {{ ref('int_membership_changes') }}
    where occurred_at < cast('{{ daily_window_end() }}' as date)

),

billing_events as (

    select * from {{ ref('int_billing_events') }}

),

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

day_numbers as (

    {{ integers_0_to_9999() }}

),

-- The state a membership ends a day in is its last change of that day.
last_change_of_day as (

    select
        *,
        cast(occurred_at as date) as change_date,
        row_number() over (
            partition by membership_key, cast(occurred_at as date)
            order by occurred_at desc
        ) as change_rank_in_day
    from membership_changes

),

end_of_day_states as (

    select
        membership_key,
        business_line,
        account_key,
        plan,
        status,
        started_at,
        ended_at,
        change_date as holds_from_date,
        lead(change_date) over (
            partition by membership_key
            order by change_date
        ) as holds_until_date
    from last_change_of_day
    where change_rank_in_day = 1

),

-- Days are known up to the latest day any membership change or billing event has landed for.
landed_days as (

    select cast(max(occurred_at) as date) as last_landed_date from {{ ref('int_membership_changes') }}
    union all
    select cast(max(occurred_at) as date) as last_landed_date from billing_events

),

window_bounds as (

    select
        greatest(
            cast('{{ daily_window_start() }}' as date),
            (select min(holds_from_date) from end_of_day_states)
        ) as first_day,
        least(
            cast('{{ daily_window_end() }}' as date),
            {{ add_days('(select max(last_landed_date) from landed_days)', 1) }}
        ) as end_day

),

status_days as (

    select
        {{ add_days('window_bounds.first_day', 'day_numbers.n') }} as status_date
    from window_bounds
    cross join day_numbers
    where day_numbers.n < {{ days_between('window_bounds.first_day', 'window_bounds.end_day') }}

),

daily_states as (

    select
        status_days.status_date,
        end_of_day_states.*
    from status_days
    inner join end_of_day_states
        on status_days.status_date >= end_of_day_states.holds_from_date
        and (
            end_of_day_states.holds_until_date is null
            or status_days.status_date < end_of_day_states.holds_until_date
        )
    where end_of_day_states.status = 'active'
        or end_of_day_states.holds_from_date = status_days.status_date

),

final as (

    select
        {{ surrogate_key(['daily_states.membership_key', 'daily_states.status_date']) }} as membership_day_key,
        daily_states.status_date,
        daily_states.membership_key,
        daily_states.business_line,
        daily_states.account_key,
        accounts.customer_key,
        coalesce(accounts.geography_key, 'unknown') as geography_key,
        daily_states.business_line || ':plan:' || daily_states.plan as product_key,
        daily_states.plan,
        daily_states.status,
        daily_states.status = 'active' as is_active,
        cast(daily_states.started_at as date) = daily_states.status_date as started_on_day,
        daily_states.status <> 'active' as ended_on_day,
        daily_states.holds_from_date = daily_states.status_date as changed_on_day,
        daily_states.started_at,
        daily_states.ended_at,
        {{ days_between('daily_states.started_at', 'daily_states.status_date') }} as membership_age_days
    from daily_states
    left join accounts
        on daily_states.account_key = accounts.account_key

)

select * from final

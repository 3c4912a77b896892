{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['daily'],
        pre_hook="{{ delete_window('billing_date') }}",
        meta={'partition_expr': 'billing_date'},
    )
}}

-- One row per billing event of the four lines: invoices, payments, failed payment attempts and refunds.

with

billing_events as (

    select * from {{ ref('int_billing_events') }}
    where {{ in_daily_window('occurred_at') }}

),

membership_changes as (

    select * from {{ ref('int_membership_changes') }}

),

accounts as (

    select * from {{ source('identity', 'bridge_customer_account') }}

),

billed_plans as (

    select
        billing_events.billing_event_key,
        membership_changes.plan
    from billing_events
    inner join membership_changes
        on billing_events.membership_key = membership_changes.membership_key
        and billing_events.occurred_at >= membership_changes.holds_from
        and (
            membership_changes.holds_until is null
            or billing_events.occurred_at < membership_changes.holds_until
        )

),

final as (

    select
        billing_events.billing_event_key,
        cast(billing_events.occurred_at as date) as billing_date,
        billing_events.occurred_at as billed_at,
        billing_events.business_line,
        billing_events.billing_event_id,
        billing_events.event_type,
        billing_events.event_type in ('payment', 'refund') as is_revenue_event,
        billing_events.account_key,
        accounts.customer_key,
        coalesce(accounts.geography_key, 'unknown') as geography_key,
        billing_events.membership_key,
        billed_plans.plan,
        billing_events.order_key,
        billing_events.amount,
        billing_events.currency,
        billing_events.amount_usd,
        billing_events.signed_amount_usd
    from billing_events
    left join billed_plans
        on billing_events.billing_event_key = billed_plans.billing_event_key
    left join accounts
        on billing_events.account_key = accounts.account_key

)

select * from final

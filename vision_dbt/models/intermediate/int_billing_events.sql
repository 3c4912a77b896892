-- Every billing event of the four business lines in one shape; order columns are null where a line sells no orders.

with

books as (

    select
        billing_event_key,
        business_line,
        billing_event_id,
        account_key,
        membership_key,
        order_key,
        event_type,
        amount,
        currency,
        amount_usd,
        signed_amount,
        signed_amount_usd,
        occurred_at
    from {{ ref('stg_books__billing') }}

),

flicks as (

    select
        billing_event_key,
        business_line,
        billing_event_id,
        account_key,
        membership_key,
        cast(null as varchar) as order_key,
        event_type,
        amount,
        currency,
        amount_usd,
        signed_amount,
        signed_amount_usd,
        occurred_at
    from {{ ref('stg_flicks__billing') }}

),

music as (

    select
        billing_event_key,
        business_line,
        billing_event_id,
        account_key,
        membership_key,
        cast(null as varchar) as order_key,
        event_type,
        amount,
        currency,
        amount_usd,
        signed_amount,
        signed_amount_usd,
        occurred_at
    from {{ ref('stg_music__billing') }}

),

mart as (

    select
        billing_event_key,
        business_line,
        billing_event_id,
        account_key,
        membership_key,
        order_key,
        event_type,
        amount,
        currency,
        amount_usd,
        signed_amount,
        signed_amount_usd,
        occurred_at
    from {{ ref('stg_mart__billing') }}

),

final as (

    select * from books
    union all
    select * from flicks
    union all
    select * from music
    union all
    select * from mart

)

select * from final

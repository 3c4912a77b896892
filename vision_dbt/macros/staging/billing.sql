{#
    Billing: one row per billing event of a business line (payment, refund, ...), with its amount in the
    currency charged and in USD. The event keeps its latest landed copy (a re-landed day or a file sent
    twice). In the signed amounts a payment counts for revenue, a refund against it and any other event
    not at all. Each line's model passes the names its export uses for the account and the membership; a
    line that also sells orders (`with_orders`) links each event to its order. Staged incrementally
    (macros/staging.sql).
#}

{% macro stage_billing(line, account_column, membership_column, with_orders=false) %}

with

{{ restaged_source(
    source('raw', line ~ '_billing'), landed_id='billing_event_id', landed_at='occurred_at',
    staged_id='billing_event_id'
) }}

rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        '{{ line }}' as business_line,
        '{{ line }}:' || trim(billing_event_id) as billing_event_key,
        trim(billing_event_id) as billing_event_id,
        '{{ line }}:' || trim({{ account_column }}) as account_key,
        trim({{ account_column }}) as account_id,
        '{{ line }}:' || nullif(trim({{ membership_column }}), '') as membership_key,
        nullif(trim({{ membership_column }}), '') as membership_id,
        {%- if with_orders %}
        '{{ line }}:' || nullif(trim(order_id), '') as order_key,
        nullif(trim(order_id), '') as order_id,
        {%- endif %}
        lower(trim(event_type)) as event_type,
        cast(amount as decimal(18, 2)) as amount,
        upper(trim(currency)) as currency,
        occurred_at,
        _loaded_at as loaded_at,
        _source_file as source_file
    from source

),

copies as (

    {{ rank_landed_copies('renamed', 'billing_event_id') }}

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
        {%- if with_orders %}
        copies.order_key,
        copies.order_id,
        {%- endif %}
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

{{ select_restaged('final', 'billing_event_key') }}

{% endmacro %}

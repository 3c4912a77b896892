{#-
    Net revenue in USD per business line and UTC day, computed straight from the landed raw tables inside
    the daily window, independently of staging and marts: order lines (quantity x unit price, less the
    line discount) plus membership payments, less refunds. USD conversion follows macros/money.sql
    (to_usd per row, rounded to the cent), so a model that books the same events must match to the cent.
-#}
{% macro raw_net_revenue_by_line_and_day() -%}
    {%- set order_tables = {'books': 'books_orders', 'mart': 'mart_orders'} -%}
    {%- set lines = ['books', 'flicks', 'music', 'mart'] -%}
    with

    rates as (

        select * from {{ ref('currency_rates') }}

    ),

    revenue_events as (

        {% for line, table in order_tables.items() -%}
        select
            '{{ line }}' as business_line,
            cast(orders.ordered_at as date) as revenue_date,
            {{ to_usd('cast(orders.quantity as integer) * cast(orders.unit_price as decimal(18, 2))', 'rates.units_per_usd') }}
            - {{ to_usd('orders.discount_amount', 'rates.units_per_usd') }} as net_amount_usd
        from {{ source('raw', table) }} as orders
        inner join rates
            on upper(trim(orders.currency)) = rates.currency
        where {{ in_daily_window('orders.ordered_at') }}

        union all

        {% endfor -%}
        {% for line in lines -%}
        select
            '{{ line }}' as business_line,
            cast(billing.occurred_at as date) as revenue_date,
            case lower(trim(billing.event_type))
                when 'refund' then -1
                else 1
            end * {{ to_usd('billing.amount', 'rates.units_per_usd') }} as net_amount_usd
        from {{ source('raw', line ~ '_billing') }} as billing
        inner join rates
            on upper(trim(billing.currency)) = rates.currency
        where lower(trim(billing.event_type)) in ('payment', 'refund')
            and {{ in_daily_window('billing.occurred_at') }}
        {% if not loop.last %}union all{% endif %}

        {% endfor %}
    ),

    final as (

        select
            business_line,
            revenue_date,
            sum(net_amount_usd) as net_revenue_usd
        from revenue_events
        group by business_line, revenue_date

    )

    select * from final
{%- endmacro %}


{#-
    Rows where a model's net revenue per business line and day differs from the raw sources' by a cent or
    more. A side without a row for a line and day counts as zero: a day on which a line sold nothing and
    billed nothing has no raw revenue row, while fct_daily_demand still has the line's row for its other
    activity (engagement), with zero revenue. Empty when the model reconciles.
-#}
{% macro revenue_reconciliation_failures(model_revenue_sql) -%}
with

raw_revenue as (

    {{ raw_net_revenue_by_line_and_day() }}

),

model_revenue as (

    {{ model_revenue_sql }}

),

compared as (

    select
        coalesce(raw_revenue.business_line, model_revenue.business_line) as business_line,
        coalesce(raw_revenue.revenue_date, model_revenue.revenue_date) as revenue_date,
        raw_revenue.net_revenue_usd as raw_net_revenue_usd,
        model_revenue.net_revenue_usd as model_net_revenue_usd
    from raw_revenue
    full outer join model_revenue
        on raw_revenue.business_line = model_revenue.business_line
        and raw_revenue.revenue_date = model_revenue.revenue_date

),

final as (

    select * from compared
    where coalesce(raw_net_revenue_usd, 0) <> coalesce(model_net_revenue_usd, 0)

)

select * from final
{%- endmacro %}

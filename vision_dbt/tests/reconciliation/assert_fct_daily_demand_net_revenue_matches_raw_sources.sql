{{ config(meta={'dagster': {'ref': {'name': 'fct_daily_demand'}}}) }}

-- Net revenue in fct_daily_demand equals the raw order lines, payments and refunds, per business line and day, to the cent.

{% set model_revenue %}
    select
        business_line,
        demand_date as revenue_date,
        sum(net_revenue_usd) as net_revenue_usd
    from {{ ref('fct_daily_demand') }}
    where {{ in_daily_window('demand_date') }}
    group by business_line, demand_date
{% endset %}

{{ revenue_reconciliation_failures(model_revenue) }}

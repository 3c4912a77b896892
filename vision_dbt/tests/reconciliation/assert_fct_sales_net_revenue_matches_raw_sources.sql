{{ config(meta={'dagster': {'ref': {'name': 'fct_sales'}}}) }}

-- Net revenue in fct_sales equals the raw order lines, payments and refunds, per business line and day, to the cent.

{% set model_revenue %}
    select
        business_line,
        sale_date as revenue_date,
        sum(net_amount_usd) as net_revenue_usd
    from {{ ref('fct_sales') }}
    where {{ in_daily_window('sale_date') }}
    group by business_line, sale_date
{% endset %}

{{ revenue_reconciliation_failures(model_revenue) }}

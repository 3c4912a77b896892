{#-
    Money: amounts are stored as decimal(18, 2) in the currency they were charged in; the USD value of
    an amount is amount / units_per_usd (seed currency_rates), rounded to the cent per row, so that every
    row's USD figure is a real cent amount and sums of rows reconcile exactly.
-#}
{% macro to_usd(amount, units_per_usd) -%}
    cast(round(cast({{ amount }} as decimal(18, 2)) / {{ units_per_usd }}, 2) as decimal(18, 2))
{%- endmacro %}

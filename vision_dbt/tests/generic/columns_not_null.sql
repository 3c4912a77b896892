{#-
    Generic test, declared once per model or seed: every column the yml marks `constraints: [{type: not_null}]`
    has no null row. It fails with one row per column that has nulls (column_name, null_rows).

    Why one test per model instead of dbt's `not_null` on each column: a day's build ran 396 not_null tests, each
    its own dbt node (about 30 ms of dbt's bookkeeping, against a few ms of SQL) and its own asset check in
    Dagster (two more events in its log per run). One scan per model checks the same columns, and the failure
    still names them. The constraints are not enforced by the warehouse (no model has an enforced contract);
    they only say which columns this test checks.
-#}
{% test columns_not_null(model) %}

{%- set columns = not_null_constraint_columns() %}

with null_counts as (

    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)
{% for column in columns %}
select '{{ column }}' as column_name, null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{{ "union all" if not loop.last }}
{%- endfor %}

{% endtest %}

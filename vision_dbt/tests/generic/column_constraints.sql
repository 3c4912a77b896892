{#-
    Generic test, declared once per model or seed: every row keeps the rules its yml declares on its columns,
    as column constraints:
      - `type: not_null`: the column is never null;
      - `type: check` with an `expression`: the expression is never false on a row, e.g.
        "business_line in ('books', 'flicks', 'music', 'mart')" (the allowed values) or "amount >= 0". As in a
        SQL check constraint, a null passes: nulls are the not_null rule's business;
      - `type: unique`: no two rows hold the same value (nulls aside). On a staging event table, whose
        test reads the window's rows only, no other row of the whole table holds one of their values;
      - `type: foreign_key` with `to: "ref('dim_date')"` (or `"source('identity', 'bridge_customer_account')"`)
        and `to_columns: [date_day]`: every non-null value is found in that column of that model, seed or
        source (dbt's relationships test).
    It fails with one row per broken rule (column_name, rule, failing_rows). On the daily models and the
    staging event tables it looks at the window being built, like their other tests (`where:
    __daily_window__`; see get_where_subquery in macros/tests.sql). Each part reads the model
    itself rather than a shared CTE: DuckDB materializes a CTE read more than once, a copy of the whole
    table.

    Why one test per model instead of dbt's `not_null`, `accepted_values`, `unique` and `relationships` (and a
    `non_negative` test) on each column: a day's build ran 625 such tests, each its own dbt node (30-40 ms of
    dbt's bookkeeping, against a few ms of SQL) and its own asset check in Dagster (three more events in its
    log per run). One scan per model checks the single-column rules and one `not in` per reference the
    references, and the failure still names the column and the rule. The constraints are not enforced by the
    warehouse (no model has an enforced contract); they only say what this test checks. A foreign_key
    constraint makes dbt build the referenced model first, as the relationships test did; where the
    referenced model is built from the tested one, the yml keeps a relationships test.
-#}
{% test column_constraints(model) %}

{%- set rules = column_constraint_rules() %}
{%- set scanned = rules | selectattr('failing_rows', 'defined') | list %}
{%- set references = rules | selectattr('parent', 'defined') | list %}
{%- set looked_up = rules | selectattr('table', 'defined') | list %}

{%- if scanned %}
with scanned as (

    select
        {%- for rule in scanned %}
        {{ rule.failing_rows }} as failing_rows_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)
{%- endif %}
{% for rule in scanned %}
select
    '{{ rule.column }}' as column_name,
    '{{ rule.rule | replace("'", "''") }}' as rule,
    failing_rows_{{ loop.index }} as failing_rows
from scanned
where failing_rows_{{ loop.index }} > 0
{{ "union all" if not loop.last or references or looked_up }}
{%- endfor %}
{#- A looked-up rule's `id_between` (macros/staging.sql) repeats its `in` so that DuckDB skips the row
    groups of the table whose min/max lie outside the tested values. -#}
{%- for rule in looked_up %}
select '{{ rule.column }}' as column_name, '{{ rule.rule }}' as rule, failing_rows
from (
    select count(*) - count(distinct {{ rule.column }}) as failing_rows
    from {{ rule.table }}
    where {{ rule.column }} in (select {{ rule.column }} from {{ model }})
        and {{ id_between(rule.column, rule.column, model) }}
) as repeated
where failing_rows > 0
{{ "union all" if not loop.last or references }}
{%- endfor %}
{%- for rule in references %}
select '{{ rule.column }}' as column_name, '{{ rule.rule }}' as rule, failing_rows
from (
    select count(*) as failing_rows
    from {{ model }}
    where {{ rule.column }} is not null
        and {{ rule.column }} not in (
            select {{ rule.parent_column }} from {{ rule.parent }} where {{ rule.parent_column }} is not null
        )
) as missing
where failing_rows > 0
{{ "union all" if not loop.last }}
{%- endfor %}

{% endtest %}

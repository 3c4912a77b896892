{#-
    Generic test, declared once per model or seed: every row keeps the rules its yml declares on its columns,
    as column constraints:
      - `type: not_null`: the column is never null;
      - `type: check` with an `expression`: the expression is never false on a row, e.g.
        "business_line in ('books', 'flicks', 'music', 'mart')" (the allowed values) or "amount >= 0". As in a
        SQL check constraint, a null passes: nulls are the not_null rule's business.
    It fails with one row per broken rule (column_name, rule, failing_rows).

    Why one test per model instead of dbt's `not_null` and `accepted_values` (and a `non_negative` test) on each
    column: a day's build ran 515 such tests, each its own dbt node (30-40 ms of dbt's bookkeeping,
    against a few ms of SQL) and its own asset check in Dagster (three more events in its log per run). One
    scan per model checks the same rules, and the failure still names the column and the rule. The
    constraints are not enforced by the warehouse (no model has an enforced contract); they only say what
    this test checks.
-#}
{% test column_constraints(model) %}

{%- set rules = column_constraint_rules() %}

with broken_rows as (

    select
        {%- for rule in rules %}
        sum(case when {{ rule.failing_when }} then 1 else 0 end) as failing_rows_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)
{% for rule in rules %}
select
    '{{ rule.column }}' as column_name,
    '{{ rule.rule | replace("'", "''") }}' as rule,
    failing_rows_{{ loop.index }} as failing_rows
from broken_rows
where failing_rows_{{ loop.index }} > 0
{{ "union all" if not loop.last }}
{%- endfor %}

{% endtest %}

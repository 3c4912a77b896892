{#-
    Generic tests on the daily models look at the window being built, not the whole history: their `where`
    config is the placeholder `__daily_window__` (set once for the daily folders in dbt_project.yml), and
    this override of dbt's get_where_subquery replaces it at run time with in_daily_window() over the tested
    model's day column (its `partition_expr` meta). So a unique or relationships test on fct_sales reads one
    day when one day is built, and every day on a plain `dbt build`. Any other `where` is applied as dbt
    would apply it.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__daily_window__' in where -%}
        {%- set where = where | replace('__daily_window__', in_daily_window(tested_model_partition_expr())) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{#- The day column (meta partition_expr) of the model a generic test is attached to (known once the graph is). -#}
{% macro tested_model_partition_expr() -%}
    {%- set attached = graph.nodes.get(model.get('attached_node') or '') -%}
    {%- set partition_expr = (attached or {}).get('config', {}).get('meta', {}).get('partition_expr') -%}
    {%- if partition_expr is none and execute -%}
        {{ exceptions.raise_compiler_error(
            "where: __daily_window__ needs a test attached to a model with meta partition_expr; "
            ~ model.get('unique_id') ~ " is not"
        ) }}
    {%- endif -%}
    {%- do return(partition_expr) -%}
{%- endmacro %}


{#-
    The rules a column_constraints test checks: for each column of the model (or seed) it is attached to, in
    their documented order, each constraint of the yml as {column, rule, failing_when}: a `not_null` constraint
    fails where the column is null, a `check` constraint where its expression is false. Known once the graph
    is; while parsing, a placeholder keeps the SQL valid.
-#}
{% macro column_constraint_rules() -%}
    {%- if not execute -%}
        {%- do return([{'column': '1', 'rule': 'placeholder', 'failing_when': 'false'}]) -%}
    {%- endif -%}
    {%- set attached = graph.nodes.get(model.get('attached_node') or '') -%}
    {%- set rules = [] -%}
    {%- for column in (attached or {}).get('columns', {}).values() -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint.get('type') == 'not_null' -%}
                {%- do rules.append({
                    'column': column.get('name'), 'rule': 'not null', 'failing_when': column.get('name') ~ ' is null'
                }) -%}
            {%- elif constraint.get('type') == 'check' -%}
                {%- do rules.append({
                    'column': column.get('name'),
                    'rule': constraint.get('expression'),
                    'failing_when': 'not (' ~ constraint.get('expression') ~ ')',
                }) -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(
                    model.get('unique_id') ~ ": column " ~ column.get('name') ~ " has a " ~ constraint.get('type')
                    ~ " constraint, which column_constraints does not check (only not_null and check)"
                ) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error(
            model.get('unique_id') ~ " checks no column: declare constraints on the model's columns "
            ~ "(type: not_null, or type: check with an expression), or remove the column_constraints test"
        ) }}
    {%- endif -%}
    {%- do return(rules) -%}
{%- endmacro %}

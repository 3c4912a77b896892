{#-
    Generic tests on the daily models look at the window being built, not the whole history: their `where`
    config is the placeholder `__daily_window__` (set once for the daily folders in dbt_project.yml), and
    this override of dbt's get_where_subquery replaces it at run time with in_daily_window() over the tested
    model's day column (its `partition_expr` meta). So fct_sales' column_constraints test (its keys unique,
    its references found) reads one day when one day is built, and every day on a plain `dbt build`. Any
    other `where` is applied as dbt would apply it.
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
    their documented order, each constraint of the yml as {column, rule, and either failing_rows (an
    aggregate over the tested rows: how many break the rule) or parent and parent_column (a reference,
    checked by `not in`)}:
      - `not_null`: rows where the column is null;
      - `check`: rows where its expression is false;
      - `unique`: rows repeating a value another row holds (count - count distinct);
      - `foreign_key`: rows whose non-null value is missing from `to_columns` of the `to` model or seed.
    Known once the graph is; while parsing, a placeholder keeps the SQL valid.
-#}
{% macro column_constraint_rules() -%}
    {%- if not execute -%}
        {%- do return([{'column': '1', 'rule': 'placeholder', 'failing_rows': '0'}]) -%}
    {%- endif -%}
    {%- set attached = graph.nodes.get(model.get('attached_node') or '') -%}
    {%- set rules = [] -%}
    {%- for column in (attached or {}).get('columns', {}).values() -%}
        {%- set name = column.get('name') -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint.get('type') == 'not_null' -%}
                {%- do rules.append({
                    'column': name, 'rule': 'not null',
                    'failing_rows': 'sum(case when ' ~ name ~ ' is null then 1 else 0 end)',
                }) -%}
            {%- elif constraint.get('type') == 'check' -%}
                {%- do rules.append({
                    'column': name, 'rule': constraint.get('expression'),
                    'failing_rows':
                        'sum(case when not (' ~ constraint.get('expression') ~ ') then 1 else 0 end)',
                }) -%}
            {%- elif constraint.get('type') == 'unique' -%}
                {%- do rules.append({
                    'column': name, 'rule': 'unique',
                    'failing_rows': 'count(' ~ name ~ ') - count(distinct ' ~ name ~ ')',
                }) -%}
            {%- elif constraint.get('type') == 'foreign_key' -%}
                {%- set parent = constraint_parent(constraint, name) -%}
                {%- set parent_column = (constraint.get('to_columns') or [none])[0] -%}
                {%- do rules.append({
                    'column': name, 'rule': 'references ' ~ parent.name ~ '.' ~ parent_column,
                    'parent': parent.relation_name, 'parent_column': parent_column,
                }) -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(
                    model.get('unique_id') ~ ": column " ~ name ~ " has a " ~ constraint.get('type')
                    ~ " constraint, which column_constraints does not check (only not_null, check, unique and"
                    ~ " foreign_key)"
                ) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error(
            model.get('unique_id') ~ " checks no column: declare constraints on the model's columns "
            ~ "(type: not_null, check, unique or foreign_key), or remove the column_constraints test"
        ) }}
    {%- endif -%}
    {%- do return(rules) -%}
{%- endmacro %}


{#-
    The model or seed a foreign_key constraint's `to: "ref('dim_date')"` names, as {name, relation_name}. dbt
    itself makes the constrained model depend on it (so it is built first), but a test cannot call ref() on
    a model it was not parsed with, so the node is looked up in the graph by its unique id.
-#}
{% macro constraint_parent(constraint, column_name) -%}
    {%- set to = constraint.get('to') or '' -%}
    {%- set referenced = modules.re.match("^\\s*ref\\(\\s*['\"]([^'\"]+)['\"]\\s*\\)\\s*$", to) -%}
    {%- set parents = [] -%}
    {%- if referenced and constraint.get('to_columns') | length == 1 -%}
        {%- for resource_type in ('model', 'seed', 'snapshot') -%}
            {%- set node = graph.nodes.get(resource_type ~ '.' ~ project_name ~ '.' ~ referenced.group(1)) -%}
            {%- if node -%}
                {%- do parents.append({'name': node.name, 'relation_name': node.relation_name}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if parents | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            model.get('unique_id') ~ ": column " ~ column_name ~ " has a foreign_key constraint to " ~ to
            ~ ", which column_constraints cannot check: give `to: \"ref('<model or seed>')\"` and one"
            ~ " `to_columns` column"
        ) }}
    {%- endif -%}
    {%- do return(parents[0]) -%}
{%- endmacro %}

{#-
    Generic tests on the daily models look at the window being built, not the whole history: their `where`
    config is the placeholder `__daily_window__` (set once for the daily folders in dbt_project.yml), and
    this override of dbt's get_where_subquery replaces it at run time with in_daily_window() over the tested
    model's day column (its `partition_expr` meta). So fct_sales' column_constraints test (its keys unique,
    its references found) reads one day when one day is built, and every day on a plain `dbt build`. Any
    other `where` is applied as dbt would apply it.

    The incrementally staged event tables (the `restage_keys` strategy, macros/staging.sql) get the same
    window without any config, over the landing day of their rows (`occurred_at`): a day's build re-stages
    the events landed on its days, so their tests read those days' rows. Rows of other days were checked
    by the build that wrote them (a row re-written outside the window, an earlier change of a membership
    or a copy that wins again, is written by the same SQL from the same landed row). A key, though, must
    be unique in the whole table, not just among the window's rows: column_constraints checks each key of
    the window against every row of the table (see column_constraint_rules). On a plain `dbt build` the
    window is every day, so every row is read. Give a test its own `where` to read something else.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where and tested_model_is_restaged() -%}
        {%- set where = '__daily_window__' -%}
    {%- endif -%}
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


{#- The graph node of the model a generic test is attached to, or an empty dict (while parsing, or none). -#}
{% macro tested_model_node() -%}
    {%- do return((graph.get('nodes') or {}).get(model.get('attached_node') or '') or {}) -%}
{%- endmacro %}


{#- Whether the tested model is an incrementally staged event table (incremental_strategy restage_keys). -#}
{% macro tested_model_is_restaged() -%}
    {%- do return(tested_model_node().get('config', {}).get('incremental_strategy') == 'restage_keys') -%}
{%- endmacro %}


{#-
    The day column of the model a generic test is attached to (known once the graph is): its meta
    partition_expr, or for a staging event table the event time that decides a row's landing day.
-#}
{% macro tested_model_partition_expr() -%}
    {%- set partition_expr = tested_model_node().get('config', {}).get('meta', {}).get('partition_expr') -%}
    {%- if partition_expr is none and tested_model_is_restaged() -%}
        {%- set partition_expr = 'occurred_at' -%}
    {%- endif -%}
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
      - `unique`: rows repeating a value another row holds (count - count distinct). On a staging event
        table, whose tests read only the window's rows, the tested rows' values are looked up in the whole
        table instead (`table`: rows of the table holding one of them, less the distinct values), so a
        key re-staged today is caught repeating one staged on another day;
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
            {%- elif constraint.get('type') == 'unique' and tested_model_is_restaged() -%}
                {%- do rules.append({'column': name, 'rule': 'unique', 'table': attached.relation_name}) -%}
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
    {%- set sourced = modules.re.match(
        "^\\s*source\\(\\s*['\"]([^'\"]+)['\"]\\s*,\\s*['\"]([^'\"]+)['\"]\\s*\\)\\s*$", to) -%}
    {%- set parents = [] -%}
    {%- if referenced and constraint.get('to_columns') | length == 1 -%}
        {%- for resource_type in ('model', 'seed', 'snapshot') -%}
            {%- set node = graph.nodes.get(resource_type ~ '.' ~ project_name ~ '.' ~ referenced.group(1)) -%}
            {%- if node -%}
                {%- do parents.append({'name': node.name, 'relation_name': node.relation_name}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- elif sourced and constraint.get('to_columns') | length == 1 -%}
        {%- set node = graph.sources.get(
            'source.' ~ project_name ~ '.' ~ sourced.group(1) ~ '.' ~ sourced.group(2)) -%}
        {%- if node -%}
            {%- do parents.append({'name': node.name, 'relation_name': node.relation_name}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if parents | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            model.get('unique_id') ~ ": column " ~ column_name ~ " has a foreign_key constraint to " ~ to
            ~ ", which column_constraints cannot check: give `to: \"ref('<model or seed>')\"` (or a source()) and one"
            ~ " `to_columns` column"
        ) }}
    {%- endif -%}
    {%- do return(parents[0]) -%}
{%- endmacro %}

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
    The columns of the model (or seed) a columns_not_null test is attached to that carry a not_null constraint in
    the yml, in their documented order. Known once the graph is; while parsing, a placeholder keeps the SQL valid.
-#}
{% macro not_null_constraint_columns() -%}
    {%- if not execute -%}
        {%- do return(['1']) -%}
    {%- endif -%}
    {%- set attached = graph.nodes.get(model.get('attached_node') or '') -%}
    {%- set columns = [] -%}
    {%- for column in (attached or {}).get('columns', {}).values() -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint.get('type') == 'not_null' -%}
                {%- do columns.append(column.get('name')) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error(
            model.get('unique_id') ~ " checks no column: mark columns of the model with "
            ~ "constraints: [{type: not_null}], or remove the columns_not_null test"
        ) }}
    {%- endif -%}
    {%- do return(columns) -%}
{%- endmacro %}

{#
    Post-hook of every model (dbt_project.yml). On DuckDB it logs, from inside dbt, what Dagster shows on
    each table's materialization: its columns with their warehouse types and yml descriptions (as JSON,
    the form dagster-dbt reads into the column schema, as its own `log_column_level_metadata` does) and its
    row count (a line `Row count of <relation>: <n>`, read by `transform/assets.py`).

    Why in dbt: dbt holds the DuckDB file while it runs, so Dagster could only query the tables after dbt
    exited, and had to hold back every event of the build until then; the event log then took its ~9 s
    a day after dbt instead of beside it. Logged here, each model's events reach Dagster as the model
    finishes. Snowflake reads the same through dagster-dbt's in-process adapter instead, and logs nothing.
#}

{% macro log_table_metadata() -%}
    {%- if execute and target.type == 'duckdb' and config.get('materialized') in ('table', 'incremental') -%}
        {%- set described = run_query(
            "select column_name, lower(data_type) from information_schema.columns"
            ~ " where table_catalog = '" ~ this.database ~ "' and table_schema = '" ~ this.schema ~ "'"
            ~ " and table_name = '" ~ this.identifier ~ "' order by ordinal_position"
        ) -%}
        {%- set columns = {} -%}
        {%- for row in described.rows -%}
            {%- set documented = model.columns.get(row[0]) or {} -%}
            {%- do columns.update({row[0]: {'data_type': row[1], 'description': documented.get('description')}}) -%}
        {%- endfor -%}
        {%- do log(tojson({'columns': columns}), info=true) -%}
        {%- set counted = run_query('select count(*) from ' ~ this) -%}
        {%- do log('Row count of ' ~ this ~ ': ' ~ counted.columns[0].values()[0], info=true) -%}
    {%- endif -%}
{%- endmacro %}

{#-
    The daily window: every daily-partitioned (tag:daily) model reads and replaces only the half-open
    window [var('min_date'), var('max_date')) of UTC days. A plain `dbt build` uses the defaults from
    dbt_project.yml (1900-01-01 .. 2999-12-31), i.e. every day.
-#}

{% macro in_daily_window(column) -%}
    {{ column }} >= cast('{{ var("min_date") }}' as date)
    and {{ column }} < cast('{{ var("max_date") }}' as date)
{%- endmacro %}


{#-
    Pre-hook of every incremental daily model: before the window's rows are appended, delete whatever the
    table already holds for that window, so re-running a window replaces it instead of duplicating it.
    Renders to nothing when the table does not exist yet (first build) or on --full-refresh.
-#}
{% macro delete_window(date_column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ in_daily_window(date_column) }}
    {%- endif -%}
{%- endmacro %}

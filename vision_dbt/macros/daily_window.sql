{#-
    The daily window: every daily-partitioned (tag:daily) model reads and replaces only the half-open
    window [daily_window_start(), daily_window_end()) of UTC days. Dagster passes it in the environment of
    the dbt process (VISION_DAILY_WINDOW_START, VISION_DAILY_WINDOW_END); without them the vars min_date and
    max_date apply, whose defaults in dbt_project.yml (1900-01-01 .. 2999-12-31) make a plain `dbt build`
    process every day, and which `--vars` can still set by hand.

    The window is read only when dbt executes, never while it parses: dbt discards its saved parse and
    re-parses the whole project (~680 nodes, 10-12 s) whenever --vars change, and re-parses every file
    whose env_var() value changed; read under `execute`, a new day's window changes nothing the saved
    parse depends on.
-#}

{% macro daily_window_bound(environment_variable, var_name) -%}
    {%- if execute -%}
        {{- env_var(environment_variable, var(var_name)) -}}
    {%- else -%}
        {{- var(var_name) -}}
    {%- endif -%}
{%- endmacro %}


{% macro daily_window_start() -%}
    {{- daily_window_bound('VISION_DAILY_WINDOW_START', 'min_date') -}}
{%- endmacro %}


{% macro daily_window_end() -%}
    {{- daily_window_bound('VISION_DAILY_WINDOW_END', 'max_date') -}}
{%- endmacro %}


{% macro in_daily_window(column) -%}
    {{ column }} >= cast('{{ daily_window_start() }}' as date)
    and {{ column }} < cast('{{ daily_window_end() }}' as date)
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

{#-
    The few functions that are spelled differently on DuckDB and Snowflake, behind adapter.dispatch.
    Everything else in the project uses functions common to both.
-#}

{#- Replace every match of a regular expression (DuckDB replaces only the first one without the 'g' flag). -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'vision')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}


{#- ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). -#}
{% macro iso_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_week', 'vision')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_week(date_expression) -%}
    weekiso({{ date_expression }})
{%- endmacro %}

{% macro duckdb__iso_week(date_expression) -%}
    cast(extract('week' from {{ date_expression }}) as integer)
{%- endmacro %}


{#- ISO 8601 year the ISO week belongs to. -#}
{% macro iso_year(date_expression) -%}
    {{ return(adapter.dispatch('iso_year', 'vision')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_year(date_expression) -%}
    yearofweekiso({{ date_expression }})
{%- endmacro %}

{% macro duckdb__iso_year(date_expression) -%}
    cast(extract('isoyear' from {{ date_expression }}) as integer)
{%- endmacro %}


{#- ISO 8601 day of the week: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'vision')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    dayofweekiso({{ date_expression }})
{%- endmacro %}

{% macro duckdb__iso_day_of_week(date_expression) -%}
    cast(isodow({{ date_expression }}) as integer)
{%- endmacro %}


{#- Whole days from start_date to end_date (end - start). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'vision')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    datediff('day', cast({{ start_date }} as date), cast({{ end_date }} as date))
{%- endmacro %}

{% macro snowflake__days_between(start_date, end_date) -%}
    datediff(day, cast({{ start_date }} as date), cast({{ end_date }} as date))
{%- endmacro %}


{#- start_date plus a whole number of days (a column or an expression), as a date. -#}
{% macro add_days(start_date, days) -%}
    {{ return(adapter.dispatch('add_days', 'vision')(start_date, days)) }}
{%- endmacro %}

{% macro default__add_days(start_date, days) -%}
    cast(dateadd(day, {{ days }}, cast({{ start_date }} as date)) as date)
{%- endmacro %}

{% macro duckdb__add_days(start_date, days) -%}
    cast(cast({{ start_date }} as date) + cast({{ days }} as integer) as date)
{%- endmacro %}


{#- First day of the month of a date or timestamp, as a date. -#}
{% macro month_start(expression) -%}
    cast(date_trunc('month', {{ expression }}) as date)
{%- endmacro %}


{#-
    The integers 0 .. 9999 without generate_series or a recursive CTE (Snowflake caps recursion depth):
    a cross join of four digit lists. Used to build day spines of up to ~27 years.
-#}
{% macro integers_0_to_9999() -%}
    {%- set digits -%}
        select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
        union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
    {%- endset -%}
    select
        ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as n
    from ({{ digits }}) as ones
    cross join ({{ digits }}) as tens
    cross join ({{ digits }}) as hundreds
    cross join ({{ digits }}) as thousands
{%- endmacro %}

{#-
    Deterministic surrogate key: md5 over the given expressions cast to text, nulls made explicit and
    separated by '|', so ('a', null) and (null, 'a') never collide. Works on DuckDB and Snowflake.
-#}
{% macro surrogate_key(expressions) -%}
    md5(
        {%- for expression in expressions %}
        coalesce(cast({{ expression }} as varchar), '_null_')
        {%- if not loop.last %} || '|' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}


{#-
    Key of a place: country code, region and city compared case- and space-insensitively, so "Leeds" and
    " leeds" are one geography.
-#}
{% macro geography_key(country_code, region, city) -%}
    {{ surrogate_key([
        "upper(trim(" ~ country_code ~ "))",
        "lower(trim(" ~ region ~ "))",
        "lower(trim(" ~ city ~ "))",
    ]) }}
{%- endmacro %}

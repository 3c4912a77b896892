{#-
    Models land in exactly the schema they configure (staging, marts, demand), with no target-schema
    prefix: the same names on DuckDB and Snowflake, and the names Dagster uses as asset-key prefixes.
    A node without a custom schema falls back to the target's default schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#-
    Identity resolution helpers (see models/marts/bridge_customer_account.sql for the rule).
-#}

{#- Providers that deliver `local+tag@domain` to `local@domain`, so the +tag is stripped before matching. -#}
{% macro plus_addressing_domains() -%}
    ('gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'fastmail.com')
{%- endmacro %}


{#- Domain part of a normalised email: lower-cased, trimmed, googlemail.com read as gmail.com. -#}
{% macro email_domain(email) -%}
    case
        when split_part(lower(trim({{ email }})), '@', 2) = 'googlemail.com' then 'gmail.com'
        else split_part(lower(trim({{ email }})), '@', 2)
    end
{%- endmacro %}


{#-
    Normalised email: lower + trim; +tag stripped for plus-addressing providers; dots removed from the
    local part for gmail.com/googlemail.com (Gmail ignores them); googlemail.com read as gmail.com.
    Null when the email is empty or has no '@'.
-#}
{% macro normalize_email(email) -%}
    case
        when {{ email }} is null or position('@' in trim({{ email }})) = 0 then null
        else
            case
                when {{ email_domain(email) }} = 'gmail.com'
                    then replace(split_part(split_part(lower(trim({{ email }})), '@', 1), '+', 1), '.', '')
                when {{ email_domain(email) }} in {{ plus_addressing_domains() }}
                    then split_part(split_part(lower(trim({{ email }})), '@', 1), '+', 1)
                else split_part(lower(trim({{ email }})), '@', 1)
            end
            || '@' || {{ email_domain(email) }}
    end
{%- endmacro %}


{#-
    Normalised person name: lower-cased, trimmed, runs of white space collapsed to one space, and
    "Last, First" reordered to "first last".
-#}
{% macro normalize_person_name(name) -%}
    {%- set collapsed = "trim(" ~ regexp_replace_all("lower(" ~ name ~ ")", "[[:space:]]+", " ") ~ ")" -%}
    case
        when position(',' in {{ collapsed }}) > 0
            then trim(split_part({{ collapsed }}, ',', 2)) || ' ' || trim(split_part({{ collapsed }}, ',', 1))
        else {{ collapsed }}
    end
{%- endmacro %}

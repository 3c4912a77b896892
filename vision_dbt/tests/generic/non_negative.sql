{#-
    Generic test: the column is never negative (nulls are left to not_null). Fails with the offending rows.
-#}
{% test non_negative(model, column_name) %}

select
    {{ column_name }} as negative_value
from {{ model }}
where {{ column_name }} < 0

{% endtest %}

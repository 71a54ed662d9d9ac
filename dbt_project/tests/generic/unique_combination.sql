{#
    Rows that repeat a combination of columns (a composite key). dbt has no built-in test
    for it and this project uses no dbt packages (no network at run time).
#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

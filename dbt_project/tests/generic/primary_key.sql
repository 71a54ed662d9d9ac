{#
    A key column: present on every row, and on one row only. dbt's `unique` and `not_null`
    in one query: every dbt test costs about 30 ms of dbt's own work whatever the data,
    and a key test per key instead of two saves a second and a half of every run. The
    failing rows name the key (null for the rows that have none) and how many rows hold it.
#}
{% test primary_key(model, column_name) %}
select {{ column_name }} as key_value, count(*) as occurrences
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null
{% endtest %}

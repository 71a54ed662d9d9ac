{#
    A local date that places a row in a reporting period must fall inside the reporting
    calendar (vars calendar_start and calendar_end in dbt_project.yml): a date outside it
    belongs to no period, and the metrics would leave its row out without a word. The
    failing rows name each such date and how many rows carry it. Severity warn (set
    where it is applied): the rest publishes, the UI shows the count; widen the calendar.
#}
{% test inside_reporting_calendar(model, column_name) %}
with

calendar as (
    select
        min(calendar_date) as first_date,
        max(calendar_date) as last_date
    from {{ ref('dim_reporting_calendar') }}
)

select
    checked.{{ column_name }} as local_date,
    count(*) as occurrences
from {{ model }} as checked
cross join calendar
where
    checked.{{ column_name }} < calendar.first_date
    or checked.{{ column_name }} > calendar.last_date
group by checked.{{ column_name }}
{% endtest %}

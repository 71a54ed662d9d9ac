{#
    Aggregate a cohort per reporting period, once per slice and once in total.

    relation:     the CTE holding the cohort rows
    date_column:  its local date that places a row in a period (joined to `periods`,
                  a CTE over dim_reporting_periods)
    slices:       columns of `relation` to slice by; total rows have them null and
                  `is_total` true, so means and medians of the whole period are exact
    measures:     the aggregate select list (references `relation`)
#}
{% macro sliced_and_total_by_period(relation, date_column, slices, measures) -%}
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        {%- for slice in slices %}
        {{ relation }}.{{ slice }},
        {%- endfor %}
        false as is_total,
        {{ measures }}
    from {{ relation }}
    inner join periods on {{ relation }}.{{ date_column }} = periods.calendar_date
    group by
        periods.grain,
        periods.period_label,
        periods.period_index
        {%- for slice in slices %},
        {{ relation }}.{{ slice }}
        {%- endfor %}
    union all
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        {%- for slice in slices %}
        cast(null as {{ dbt.type_string() }}) as {{ slice }},
        {%- endfor %}
        true as is_total,
        {{ measures }}
    from {{ relation }}
    inner join periods on {{ relation }}.{{ date_column }} = periods.calendar_date
    group by periods.grain, periods.period_label, periods.period_index
{%- endmacro %}

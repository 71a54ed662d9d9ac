{#
    The slices every metric can be cut by, in one order. Each metric fills them from its
    own cohort (see models/marts/metrics/_metric_slices.md for what owner means where).
#}
{% macro funnel_slices() -%}
    {{ return([
        'first_touch_channel', 'first_touch_intent', 'first_touch_campaign',
        'industry_code', 'size_band', 'owner_id', 'owner_team'
    ]) }}
{%- endmacro %}


{#
    Aggregate a cohort per reporting period, once per slice and once in total.

    relation:     the CTE holding the cohort rows
    date_column:  its local date that places a row in a period (joined to `periods`,
                  a CTE over dim_reporting_periods)
    slices:       columns of `relation` to slice by; total rows have them null and
                  `is_total` true, so means and medians of the whole period are exact
    measures:     the aggregate select list (references `relation`). Total rows come from
                  a left join, so an empty period gives one all-null row: count a column
                  (`count(cohort.person_id)`), never `count(*)`
    keys:         columns kept in both kinds of rows (e.g. a category)
    key_domain:   a CTE with every value of `keys`; defaults to the values seen

    Total rows exist for every period from the first to the last date of the cohort, so a
    period with an empty cohort is a row with zero counts (and null rates), not a gap.
#}
{% macro sliced_and_total_by_period(
    relation, date_column, slices, measures, keys=[], key_domain=none
) -%}
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        periods.period_start_date,
        periods.period_end_date,
        {%- for key in keys %}
        {{ relation }}.{{ key }},
        {%- endfor %}
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
        periods.period_index,
        periods.period_start_date,
        periods.period_end_date
        {%- for column in keys + slices %},
        {{ relation }}.{{ column }}
        {%- endfor %}
    union all
    select
        covered.grain,
        covered.period_label,
        covered.period_index,
        covered.period_start_date,
        covered.period_end_date,
        {%- for key in keys %}
        covered.{{ key }},
        {%- endfor %}
        {%- for slice in slices %}
        cast(null as {{ dbt.type_string() }}) as {{ slice }},
        {%- endfor %}
        true as is_total,
        {{ measures }}
    from (
        select
            periods.grain,
            periods.period_label,
            periods.period_index,
            periods.period_start_date,
            periods.period_end_date,
            {%- for key in keys %}
            key_domain.{{ key }},
            {%- endfor %}
            periods.calendar_date
        from periods
        {%- if keys %}
        cross join (
            {%- if key_domain %}
            select {{ keys | join(', ') }} from {{ key_domain }}
            {%- else %}
            select distinct {{ keys | join(', ') }} from {{ relation }}
            {%- endif %}
        ) as key_domain
        {%- endif %}
        where
            periods.calendar_date
            >= (select min({{ date_column }}) from {{ relation }})
            and periods.calendar_date
            <= (select max({{ date_column }}) from {{ relation }})
    ) as covered
    left join {{ relation }}
        on
            covered.calendar_date = {{ relation }}.{{ date_column }}
            {%- for key in keys %}
            and covered.{{ key }} is not distinct from {{ relation }}.{{ key }}
            {%- endfor %}
    group by
        covered.grain,
        covered.period_label,
        covered.period_index,
        covered.period_start_date,
        covered.period_end_date
        {%- for key in keys %},
        covered.{{ key }}
        {%- endfor %}
{%- endmacro %}


{#
    The join condition that finds a row's previous period: same grain, same kind of row
    (slice or total), same slice values (nulls equal), period index one less.
#}
{% macro same_slice_previous_period(current, previous, columns) -%}
    {{ current }}.grain = {{ previous }}.grain
    and {{ current }}.is_total = {{ previous }}.is_total
    and {{ current }}.period_index = {{ previous }}.period_index + 1
    {%- for column in columns %}
    and {{ current }}.{{ column }} is not distinct from {{ previous }}.{{ column }}
    {%- endfor %}
{%- endmacro %}


{#
    The slice columns of a relation, comma-separated, for a select list:
    `{{ slice_columns('person_slices') }},`
#}
{% macro slice_columns(relation) -%}
    {%- for slice in funnel_slices() -%}
        {{ relation }}.{{ slice }}{{ ",\n        " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{#
    The partition of one period's row of one kind (slice or total) and one slice: the
    denominator of a share within the period, `sum(x) over (partition by ...)`.
#}
{% macro same_period_and_slice() -%}
    grain, period_index, is_total, {{ funnel_slices() | join(', ') }}
{%- endmacro %}

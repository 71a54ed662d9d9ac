-- The reporting calendar in long form: every local date once per grain (month, quarter,
-- half_year, fiscal_year), so one metric query serves every grain. period_index counts
-- periods of a grain in order, so the prior period is period_index - 1; each row also
-- carries its period's first and last date (the period's window).
with

calendar as (
    select * from {{ ref('dim_reporting_calendar') }}
),

unioned as (
    select
        calendar_date,
        'month' as grain,
        month_label as period_label,
        month_index as period_index,
        definitions_version
    from calendar
    union all
    select
        calendar_date,
        'quarter' as grain,
        quarter_label as period_label,
        quarter_index as period_index,
        definitions_version
    from calendar
    union all
    select
        calendar_date,
        'half_year' as grain,
        half_year_label as period_label,
        half_year_index as period_index,
        definitions_version
    from calendar
    union all
    select
        calendar_date,
        'fiscal_year' as grain,
        fiscal_year_label as period_label,
        fiscal_year_index as period_index,
        definitions_version
    from calendar
),

windowed as (
    select
        calendar_date,
        grain,
        period_label,
        period_index,
        min(calendar_date) over (partition by grain, period_index) as period_start_date,
        max(calendar_date) over (partition by grain, period_index) as period_end_date,
        definitions_version
    from unioned
)

select * from windowed

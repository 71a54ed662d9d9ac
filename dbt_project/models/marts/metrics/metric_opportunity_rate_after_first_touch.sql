-- 初回接点後の商談化率: of the persons whose first touch fell in the period, the share that
-- became an opportunity (SQL) within the window the definitions set. Cohort: the period
-- of the first touch (the person's own first action). A person whose window has not
-- closed by the data's as-of time (the latest source export) is still maturing: a cohort
-- is complete only when every window in it has closed.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

first_opportunities as (
    select
        person_id,
        min(sql_at) as first_sql_at
    from {{ ref('fct_lead_lifecycle') }}
    group by person_id
),

as_of as (
    select max(data_as_of) as data_as_of from {{ ref('int_data_as_of') }}
),

cohort as (
    select
        persons.person_id,
        {{ slice_columns('person_slices') }},
        persons.first_touch_local_date,
        coalesce(
            first_opportunities.first_sql_at <= {{ dbt.dateadd(
                'day', 'agreement.opportunity_window_days', 'persons.first_touch_at'
            ) }},
            false
        ) as became_opportunity,
        {{ dbt.dateadd('day', 'agreement.opportunity_window_days', 'persons.first_touch_at') }}
        <= as_of.data_as_of as is_window_closed
    from {{ ref('dim_persons') }} as persons
    cross join agreement
    cross join as_of
    inner join {{ ref('int_person_slices') }} as person_slices
        on persons.person_id = person_slices.person_id
    left join first_opportunities on persons.person_id = first_opportunities.person_id
    where persons.first_touch_at is not null
),

{% set measures %}
        count(cohort.person_id) as persons,
        sum(case when cohort.became_opportunity then 1 else 0 end) as became_opportunity,
        sum(case when not cohort.is_window_closed then 1 else 0 end) as maturing_persons
{% endset %}

counted as (
    {{ sliced_and_total_by_period(
        'cohort', 'first_touch_local_date', funnel_slices(), measures
    ) }}
),

final as (
    select
        counted.grain,
        counted.period_label,
        counted.period_index,
        counted.period_start_date,
        counted.period_end_date,
        {{ slice_columns('counted') }},
        counted.is_total,
        counted.persons,
        counted.became_opportunity,
        counted.maturing_persons,
        counted.maturing_persons = 0 as is_window_complete,
        case
            when counted.persons > 0
                then cast(counted.became_opportunity as {{ type_double() }}) / counted.persons
        end as opportunity_rate,
        case when counted.persons = 0 then 'no persons' end as opportunity_rate_null_reason,
        agreement.opportunity_window_days,
        as_of.data_as_of,
        agreement.definitions_version
    from counted
    cross join agreement
    cross join as_of
)

select * from final

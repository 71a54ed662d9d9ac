-- 初回接点後の商談化率: of the persons whose first touch fell in the period, the share that
-- became an opportunity (SQL) within the window the definitions set. Cohort: the period
-- of the first touch (the person's own first action). A cohort whose window has not
-- closed by the latest data is still maturing (is_window_complete is false).
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

first_opportunities as (
    select
        person_id,
        min(sql_at) as first_sql_at
    from {{ ref('fct_lead_lifecycle') }}
    group by person_id
),

data_end as (
    select max(first_touch_at) as latest_touch_at from persons
),

cohort as (
    select
        persons.person_id,
        persons.first_touch_channel,
        persons.first_touch_intent,
        persons.first_touch_campaign,
        persons.industry_code,
        persons.size_band,
        cast(
            {{ to_local_time('persons.first_touch_at', 'agreement.reporting_timezone') }}
            as date
        ) as first_touch_local_date,
        coalesce(
            first_opportunities.first_sql_at <= {{ dbt.dateadd(
                'day', 'agreement.opportunity_window_days', 'persons.first_touch_at'
            ) }},
            false
        ) as became_opportunity,
        {{ dbt.dateadd('day', 'agreement.opportunity_window_days', 'persons.first_touch_at') }}
        <= data_end.latest_touch_at as is_window_complete
    from persons
    cross join agreement
    cross join data_end
    left join first_opportunities on persons.person_id = first_opportunities.person_id
    where persons.first_touch_at is not null
),

counted as (
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        cohort.first_touch_channel,
        cohort.first_touch_intent,
        cohort.first_touch_campaign,
        cohort.industry_code,
        cohort.size_band,
        count(*) as persons,
        sum(case when cohort.became_opportunity then 1 else 0 end) as became_opportunity,
        bool_and(cohort.is_window_complete) as is_window_complete
    from cohort
    inner join periods on cohort.first_touch_local_date = periods.calendar_date
    group by
        periods.grain,
        periods.period_label,
        periods.period_index,
        cohort.first_touch_channel,
        cohort.first_touch_intent,
        cohort.first_touch_campaign,
        cohort.industry_code,
        cohort.size_band
),

final as (
    select
        counted.*,
        agreement.opportunity_window_days,
        case
            when counted.persons > 0
                then cast(counted.became_opportunity as {{ type_double() }}) / counted.persons
        end as opportunity_rate,
        case when counted.persons = 0 then 'no persons' end as opportunity_rate_null_reason,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

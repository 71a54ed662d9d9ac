-- The funnel as one waterfall: of the persons who became an inquiry in the period (the
-- cohort), how many ever reached MQL, SAL, SQL and Won, the conversion between each step
-- and the first step, and the mean days between steps (velocity). One row per slice and
-- an is_total row per period (also for a period without inquiries).
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

reached as (
    -- the first time each person entered each stage, over all their cycles
    select
        person_id,
        min(case when stage_code = 'inquiry' then entered_at end) as inquiry_at,
        min(case when stage_code = 'mql' then entered_at end) as mql_at,
        min(case when stage_code = 'sal' then entered_at end) as sal_at,
        min(case when stage_code = 'sql' then entered_at end) as sql_at,
        min(case when stage_code = 'won' then entered_at end) as won_at
    from {{ ref('fct_stage_transitions') }}
    group by person_id
),

cohort as (
    select
        reached.person_id,
        {{ slice_columns('person_slices') }},
        reached.mql_at,
        reached.sal_at,
        reached.sql_at,
        reached.won_at,
        cast(
            {{ to_local_time('reached.inquiry_at', 'agreement.reporting_timezone') }} as date
        ) as inquiry_local_date,
        {{ divide(seconds_between('reached.inquiry_at', 'reached.mql_at'), 86400) }}
            as days_inquiry_to_mql,
        {{ divide(seconds_between('reached.mql_at', 'reached.sal_at'), 86400) }}
            as days_mql_to_sal,
        {{ divide(seconds_between('reached.sal_at', 'reached.sql_at'), 86400) }}
            as days_sal_to_sql,
        {{ divide(seconds_between('reached.sql_at', 'reached.won_at'), 86400) }}
            as days_sql_to_won
    from reached
    cross join agreement
    inner join {{ ref('int_person_slices') }} as person_slices
        on reached.person_id = person_slices.person_id
    where reached.inquiry_at is not null
),

{% set measures %}
        count(cohort.person_id) as inquiries,
        count(cohort.mql_at) as mqls,
        count(cohort.sal_at) as sals,
        count(cohort.sql_at) as sqls,
        count(cohort.won_at) as wins,
        avg(cohort.days_inquiry_to_mql) as mean_days_inquiry_to_mql,
        avg(cohort.days_mql_to_sal) as mean_days_mql_to_sal,
        avg(cohort.days_sal_to_sql) as mean_days_sal_to_sql,
        avg(cohort.days_sql_to_won) as mean_days_sql_to_won
{% endset %}

counted as (
    {{ sliced_and_total_by_period(
        'cohort', 'inquiry_local_date', funnel_slices(), measures
    ) }}
),

final as (
    select
        counted.*,
        case
            when counted.inquiries > 0
                then cast(counted.mqls as {{ type_double() }}) / counted.inquiries
        end as inquiry_to_mql_rate,
        case
            when counted.mqls > 0 then cast(counted.sals as {{ type_double() }}) / counted.mqls
        end as mql_to_sal_rate,
        case
            when counted.sals > 0 then cast(counted.sqls as {{ type_double() }}) / counted.sals
        end as sal_to_sql_rate,
        case
            when counted.sqls > 0 then cast(counted.wins as {{ type_double() }}) / counted.sqls
        end as sql_to_won_rate,
        case
            when counted.inquiries > 0
                then cast(counted.wins as {{ type_double() }}) / counted.inquiries
        end as inquiry_to_won_rate,
        case
            when counted.inquiries = 0 then 'no inquiries: no rate has a denominator'
            when counted.mqls = 0 then 'no MQLs: later rates have no denominator'
            when counted.sals = 0 then 'no SALs: later rates have no denominator'
            when counted.sqls = 0 then 'no SQLs: the won rate has no denominator'
        end as rate_null_reason,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

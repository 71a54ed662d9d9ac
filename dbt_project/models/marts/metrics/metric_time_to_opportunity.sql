-- 案件化までの平均期間: days from a person's first touch to each opportunity (SQL), mean and
-- median, and the days of each step before it (MQL to SAL, SAL to SQL), per period the
-- opportunity was created in. Rows with is_total cover the whole period; the others
-- slice it (re-aggregate means from the sums and counts; medians do not add up). Owner
-- is the opportunity's owner.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

opportunities as (
    select
        lifecycles.opportunity_id,
        {{ slice_columns('opportunity_slices') }},
        cast(
            {{ to_local_time('lifecycles.sql_at', 'agreement.reporting_timezone') }} as date
        ) as sql_local_date,
        {{ divide(seconds_between('persons.first_touch_at', 'lifecycles.sql_at'), 86400) }}
            as days_first_touch_to_sql,
        {{ divide(seconds_between('lifecycles.mql_at', 'lifecycles.sal_at'), 86400) }}
            as days_mql_to_sal,
        {{ divide(seconds_between('lifecycles.sal_at', 'lifecycles.sql_at'), 86400) }}
            as days_sal_to_sql
    from {{ ref('fct_lead_lifecycle') }} as lifecycles
    cross join agreement
    inner join {{ ref('dim_persons') }} as persons on lifecycles.person_id = persons.person_id
    left join {{ ref('int_opportunity_slices') }} as opportunity_slices
        on lifecycles.opportunity_id = opportunity_slices.opportunity_id
    where lifecycles.sql_at is not null
),

{% set measures %}
        count(opportunities.sql_local_date) as opportunities,
        sum(opportunities.days_first_touch_to_sql) as total_days_first_touch_to_sql,
        avg(opportunities.days_first_touch_to_sql) as mean_days_first_touch_to_sql,
        percentile_cont(0.5) within group (order by opportunities.days_first_touch_to_sql)
            as median_days_first_touch_to_sql,
        avg(opportunities.days_mql_to_sal) as mean_days_mql_to_sal,
        avg(opportunities.days_sal_to_sql) as mean_days_sal_to_sql
{% endset %}

counted as (
    {{ sliced_and_total_by_period(
        'opportunities', 'sql_local_date', funnel_slices(), measures
    ) }}
),

final as (
    select
        counted.*,
        case when counted.opportunities = 0 then 'no opportunities' end as days_null_reason,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

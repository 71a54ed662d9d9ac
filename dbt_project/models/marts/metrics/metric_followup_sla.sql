-- Share of MQLs followed up within the agreed SLA, and the time to first follow-up.
-- Cohort: the period of the MQL. Numerator: MQLs whose first sales activity came within
-- sla_hours on the agreed clock. Denominator: all MQLs of the cohort (one never followed
-- up is not within the SLA). Hours are on the agreed clock (calendar or business).
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

cohort as (
    select * from {{ ref('int_mql_cohorts') }}
),

{% set measures %}
        count(cohort.lifecycle_id) as mqls,
        sum(case when cohort.is_followed_up_within_sla then 1 else 0 end)
            as followed_up_within_sla,
        count(cohort.hours_to_first_followup) as followed_up,
        sum(cohort.hours_to_first_followup) as total_hours_to_first_followup,
        avg(cohort.hours_to_first_followup) as mean_hours_to_first_followup,
        percentile_cont(0.5) within group (order by cohort.hours_to_first_followup)
            as median_hours_to_first_followup
{% endset %}

counted as (
    {{ sliced_and_total_by_period('cohort', 'mql_local_date', funnel_slices(), measures) }}
),

final as (
    select
        counted.*,
        case
            when counted.mqls > 0
                then cast(counted.followed_up_within_sla as {{ type_double() }}) / counted.mqls
        end as within_sla_rate,
        case when counted.mqls = 0 then 'no MQLs' end as within_sla_rate_null_reason,
        agreement.sla_hours,
        agreement.sla_clock,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

-- MQLs accepted or rejected by sales: the feedback loop back to marketing (the reasons
-- are in metric_mql_rejection_reasons). Cohort: the period of the MQL. One row per grain,
-- period and slice, and an is_total row per period (also for a period without MQLs).
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
        sum(case when cohort.acceptance_status = 'accepted' then 1 else 0 end)
            as accepted_mqls,
        sum(case when cohort.acceptance_status = 'rejected' then 1 else 0 end)
            as rejected_mqls,
        sum(case when cohort.acceptance_status = 'pending' then 1 else 0 end) as pending_mqls
{% endset %}

counted as (
    {{ sliced_and_total_by_period('cohort', 'mql_local_date', funnel_slices(), measures) }}
),

final as (
    select
        counted.*,
        counted.accepted_mqls + counted.rejected_mqls as decided_mqls,
        case
            when counted.accepted_mqls + counted.rejected_mqls > 0
                then
                    cast(counted.accepted_mqls as {{ type_double() }})
                    / (counted.accepted_mqls + counted.rejected_mqls)
        end as acceptance_rate,
        case
            when counted.mqls = 0 then 'no MQLs'
            when counted.accepted_mqls + counted.rejected_mqls = 0 then 'no decided MQLs'
        end as acceptance_rate_null_reason,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

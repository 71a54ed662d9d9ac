-- Why sales rejected MQLs: rejected MQLs per agreed rejection reason, and each reason's
-- share of the rejections of its period and slice. Cohort: the period of the MQL. Total
-- rows hold every agreed reason in every period, so a reason at zero shows.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

reasons as (
    -- the agreed reasons as the CRM records them (labels), and null for a rejection
    -- sales gave no reason for
    select label_en as rejection_reason
    from {{ ref('stg_definitions__rejection_reasons') }}
    union all
    select cast(null as {{ dbt.type_string() }}) as rejection_reason
),

rejected as (
    select * from {{ ref('int_mql_cohorts') }}
    where acceptance_status = 'rejected'
),

{% set measures %}
        count(rejected.lifecycle_id) as rejected_mqls
{% endset %}

counted as (
    {{ sliced_and_total_by_period(
        'rejected', 'mql_local_date', funnel_slices(), measures,
        keys=['rejection_reason'], key_domain='reasons'
    ) }}
),

shared as (
    select
        *,
        sum(rejected_mqls) over (partition by {{ same_period_and_slice() }})
            as period_rejected_mqls
    from counted
),

final as (
    select
        shared.*,
        case
            when shared.period_rejected_mqls > 0
                then
                    cast(shared.rejected_mqls as {{ type_double() }})
                    / shared.period_rejected_mqls
        end as share_of_rejections,
        case
            when shared.period_rejected_mqls = 0 then 'no rejected MQLs'
        end as share_of_rejections_null_reason,
        agreement.definitions_version
    from shared
    cross join agreement
)

select * from final

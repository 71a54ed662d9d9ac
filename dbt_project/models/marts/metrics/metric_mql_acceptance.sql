-- MQLs accepted or rejected by sales, with the rejection reasons: the feedback loop back
-- to marketing. Cohort: the period of the MQL. One row per grain, period, slice and
-- rejection reason (null for accepted and pending MQLs); sum the counts to re-aggregate.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

counted as (
    select
        grain,
        period_label,
        period_index,
        first_touch_channel,
        first_touch_intent,
        industry_code,
        size_band,
        owner_name,
        owner_team,
        rejection_reason,
        count(*) as mqls,
        sum(case when acceptance_status = 'accepted' then 1 else 0 end) as accepted_mqls,
        sum(case when acceptance_status = 'rejected' then 1 else 0 end) as rejected_mqls,
        sum(case when acceptance_status = 'pending' then 1 else 0 end) as pending_mqls
    from {{ ref('int_mql_cohorts') }}
    group by
        grain,
        period_label,
        period_index,
        first_touch_channel,
        first_touch_intent,
        industry_code,
        size_band,
        owner_name,
        owner_team,
        rejection_reason
),

final as (
    select
        counted.*,
        case
            when counted.accepted_mqls + counted.rejected_mqls > 0
                then
                    cast(counted.accepted_mqls as {{ type_double() }})
                    / (counted.accepted_mqls + counted.rejected_mqls)
        end as acceptance_rate,
        case
            when counted.accepted_mqls + counted.rejected_mqls = 0 then 'no decided MQLs'
        end as acceptance_rate_null_reason,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

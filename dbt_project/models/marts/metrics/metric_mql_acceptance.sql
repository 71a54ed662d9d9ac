-- MQLs accepted or rejected by sales, with the rejection reasons: the feedback loop back
-- to marketing. Cohort: the period of the MQL. One row per grain, period, slice and
-- rejection reason (null for accepted and pending MQLs); sum the counts to re-aggregate.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

lifecycles as (
    select
        lifecycles.*,
        -- a reason explains a rejection; an accepted lead that stalled later is accepted
        case
            when lifecycles.acceptance_status = 'rejected' then lifecycles.rejection_reason
        end as mql_rejection_reason,
        cast(
            {{ to_local_time('lifecycles.mql_at', 'agreement.reporting_timezone') }} as date
        ) as mql_local_date
    from {{ ref('fct_lead_lifecycle') }} as lifecycles
    cross join agreement
),

counted as (
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        lifecycles.first_touch_channel,
        lifecycles.first_touch_intent,
        lifecycles.industry_code,
        lifecycles.size_band,
        lifecycles.owner_name,
        lifecycles.owner_team,
        lifecycles.mql_rejection_reason as rejection_reason,
        count(*) as mqls,
        sum(case when lifecycles.acceptance_status = 'accepted' then 1 else 0 end)
            as accepted_mqls,
        sum(case when lifecycles.acceptance_status = 'rejected' then 1 else 0 end)
            as rejected_mqls,
        sum(case when lifecycles.acceptance_status = 'pending' then 1 else 0 end)
            as pending_mqls
    from lifecycles
    inner join periods on lifecycles.mql_local_date = periods.calendar_date
    group by
        periods.grain,
        periods.period_label,
        periods.period_index,
        lifecycles.first_touch_channel,
        lifecycles.first_touch_intent,
        lifecycles.industry_code,
        lifecycles.size_band,
        lifecycles.owner_name,
        lifecycles.owner_team,
        lifecycles.mql_rejection_reason
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

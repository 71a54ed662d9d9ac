-- Every lifecycle cycle once per reporting grain, in the period of its MQL (reporting
-- time zone): the cohort the MQL-based metrics (acceptance, follow-up SLA) count.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

lifecycles as (
    select
        lifecycles.*,
        cast(
            {{ to_local_time('lifecycles.mql_at', 'agreement.reporting_timezone') }} as date
        ) as mql_local_date
    from {{ ref('fct_lead_lifecycle') }} as lifecycles
    cross join agreement
),

final as (
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        lifecycles.lifecycle_id,
        lifecycles.first_touch_channel,
        lifecycles.first_touch_intent,
        lifecycles.industry_code,
        lifecycles.size_band,
        lifecycles.owner_name,
        lifecycles.owner_team,
        lifecycles.acceptance_status,
        -- a reason explains a rejection; an accepted lead that stalled later is accepted
        case
            when lifecycles.acceptance_status = 'rejected' then lifecycles.rejection_reason
        end as rejection_reason,
        lifecycles.first_followup_at,
        lifecycles.hours_to_first_followup,
        lifecycles.is_followed_up_within_sla,
        lifecycles.sla_hours,
        lifecycles.sla_clock
    from lifecycles
    inner join {{ ref('dim_reporting_periods') }} as periods
        on lifecycles.mql_local_date = periods.calendar_date
)

select * from final

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

lifecycles as (
    select
        lifecycles.*,
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
        count(*) as mqls,
        sum(case when lifecycles.is_followed_up_within_sla then 1 else 0 end)
            as followed_up_within_sla,
        count(lifecycles.first_followup_at) as followed_up,
        sum(lifecycles.hours_to_first_followup) as total_hours_to_first_followup,
        avg(lifecycles.hours_to_first_followup) as mean_hours_to_first_followup,
        max(lifecycles.sla_hours) as sla_hours,
        max(lifecycles.sla_clock) as sla_clock
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
        lifecycles.owner_team
),

final as (
    select
        counted.*,
        case
            when counted.mqls > 0
                then cast(counted.followed_up_within_sla as {{ type_double() }}) / counted.mqls
        end as within_sla_rate,
        case when counted.mqls = 0 then 'no MQLs' end as within_sla_rate_null_reason,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

-- Share of MQLs followed up within the agreed SLA, and the time to first follow-up.
-- Cohort: the period of the MQL. Numerator: MQLs whose first sales activity came within
-- sla_hours on the agreed clock. Denominator: all MQLs of the cohort (one never followed
-- up is not within the SLA). Hours are on the agreed clock (calendar or business).
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
        count(*) as mqls,
        sum(case when is_followed_up_within_sla then 1 else 0 end) as followed_up_within_sla,
        count(first_followup_at) as followed_up,
        sum(hours_to_first_followup) as total_hours_to_first_followup,
        avg(hours_to_first_followup) as mean_hours_to_first_followup,
        max(sla_hours) as sla_hours,
        max(sla_clock) as sla_clock
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
        owner_team
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

-- One row per person and lifecycle cycle: the date of each stage, where the person came
-- from, who owned the lead, whether sales accepted it (and why not), and the SLA.
with

cycles as (
    select * from {{ ref('int_lifecycle_cycles') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

business_days as (
    select * from {{ ref('int_business_days') }}
    where is_business_day
),

business_time as (
    -- seconds of business time between the MQL and the first follow-up
    select
        cycles.person_id,
        cycles.cycle_number,
        sum(
            {{ seconds_between(
                'greatest(cycles.mql_at, business_days.business_starts_at)',
                'least(cycles.first_followup_at, business_days.business_ends_at)'
            ) }}
        ) as business_seconds
    from cycles
    inner join business_days
        on
            cycles.mql_at < business_days.business_ends_at
            and cycles.first_followup_at > business_days.business_starts_at
    group by cycles.person_id, cycles.cycle_number
),

followups as (
    select
        cycles.person_id,
        cycles.cycle_number,
        case
            when cycles.first_followup_at is null then null
            when agreement.sla_clock = 'business'
                then {{ divide('coalesce(business_time.business_seconds, 0)', 3600) }}
            else
                {{ divide(seconds_between('cycles.mql_at', 'cycles.first_followup_at'), 3600) }}
        end as hours_to_first_followup
    from cycles
    cross join agreement
    left join business_time
        on
            cycles.person_id = business_time.person_id
            and cycles.cycle_number = business_time.cycle_number
),

final as (
    select
        {{ dbt.hash("cycles.person_id || ':' || cycles.cycle_number") }} as lifecycle_id,
        cycles.person_id,
        cycles.cycle_number,
        persons.account_id,
        cycles.lead_id,
        cycles.opportunity_id,
        cycles.owner_id,
        users.team_name as owner_team,
        persons.first_touch_type,
        persons.first_touch_channel,
        persons.first_touch_intent,
        persons.industry_code,
        persons.size_band,
        cycles.mql_trigger,
        cycles.mql_path,
        cycles.mql_points,
        case
            when cycles.sal_at is not null then 'accepted'
            when cycles.rejected_at is not null then 'rejected'
            else 'pending'
        end as acceptance_status,
        cycles.rejection_reason,
        cycles.end_stage,
        agreement.sla_hours,
        agreement.sla_clock,
        followups.hours_to_first_followup,
        coalesce(followups.hours_to_first_followup <= agreement.sla_hours, false)
            as is_followed_up_within_sla,
        case when cycles.cycle_number = 1 then persons.inquiry_at end as inquiry_at,
        cycles.mql_at,
        cycles.first_followup_at,
        cycles.sal_at,
        cycles.rejected_at,
        cycles.sql_at,
        case when cycles.end_stage = 'won' then cycles.end_at end as won_at,
        case when cycles.end_stage = 'lost' then cycles.end_at end as lost_at,
        case when cycles.end_stage = 'recycled' then cycles.end_at end as recycled_at,
        case when cycles.end_stage = 'disqualified' then cycles.end_at end as disqualified_at,
        cycles.end_at,
        cast(
            {{ to_local_time('cycles.mql_at', 'agreement.reporting_timezone') }} as date
        ) as mql_local_date,
        cycles.definitions_version
    from cycles
    cross join agreement
    inner join persons on cycles.person_id = persons.person_id
    inner join followups
        on cycles.person_id = followups.person_id and cycles.cycle_number = followups.cycle_number
    left join users on cycles.owner_id = users.user_id
)

select * from final

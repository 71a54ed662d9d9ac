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

final as (
    select
        {{ dbt.hash("cycles.person_id || ':' || cycles.cycle_number") }} as lifecycle_id,
        cycles.person_id,
        cycles.cycle_number,
        persons.account_id,
        cycles.lead_id,
        cycles.opportunity_id,
        cycles.owner_id,
        users.user_name as owner_name,
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
        {{ seconds_between('cycles.mql_at', 'cycles.first_followup_at') }}
        / 3600.0
            as hours_to_first_followup,
        cycles.first_followup_at is not null
        and cycles.first_followup_at
        <= {{ dbt.dateadd('hour', 'agreement.sla_hours', 'cycles.mql_at') }}
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
        cycles.definitions_version
    from cycles
    cross join agreement
    inner join persons on cycles.person_id = persons.person_id
    left join users on cycles.owner_id = users.user_id
)

select * from final

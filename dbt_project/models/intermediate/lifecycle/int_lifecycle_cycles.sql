-- Lifecycle cycles: each starts at an MQL (int_mql_evaluations) and collects the CRM
-- evidence recorded until the next MQL: acceptance, opportunity, close, recycle or
-- disqualification, rejection reason and first follow-up.
with

mqls as (
    select * from {{ ref('int_mql_evaluations') }}
),

events as (
    select * from {{ ref('int_crm_lifecycle_events') }}
),

terminal_stages as (
    -- stages after which a cycle goes nowhere but (possibly) back to MQL
    select stage_list.stage_code
    from {{ ref('stg_definitions__stages') }} as stage_list
    where not exists (
        select 1
        from {{ ref('stg_definitions__stage_transitions') }} as transitions
        where transitions.from_stage = stage_list.stage_code and transitions.to_stage != 'mql'
    )
    and stage_list.stage_code not in ('inquiry', 'mql')
),

starts as (
    -- two starting points can only meet on the same MQL if the data repeats itself
    select
        person_id,
        mql_at,
        min(mql_touch_id) as mql_touch_id,
        min(mql_trigger) as mql_trigger,
        min(mql_path) as mql_path,
        max(mql_points) as mql_points,
        min(definitions_version) as definitions_version
    from mqls
    group by person_id, mql_at
),

cycles as (
    select
        *,
        row_number() over (partition by person_id order by mql_at) as cycle_number,
        lead(mql_at) over (partition by person_id order by mql_at) as next_mql_at
    from starts
),

cycle_events as (
    select
        cycles.person_id,
        cycles.cycle_number,
        events.stage_code,
        events.event_at,
        events.detail,
        events.lead_id,
        events.opportunity_id,
        events.owner_id,
        events.source_system,
        events.record_id,
        terminal_stages.stage_code is not null as is_terminal
    from cycles
    inner join events
        on
            cycles.person_id = events.person_id
            and cycles.mql_at <= events.event_at
            and (cycles.next_mql_at is null or cycles.next_mql_at > events.event_at)
    left join terminal_stages on events.stage_code = terminal_stages.stage_code
),

ends as (
    select
        person_id,
        cycle_number,
        stage_code as end_stage,
        event_at as end_at,
        lead_id as end_lead_id,
        source_system as end_source_system,
        record_id as end_record_id,
        -- two systems ending the cycle at once: the same record on every engine
        row_number() over (
            partition by person_id, cycle_number
            order by event_at, stage_code, source_system, record_id
        ) as end_order
    from cycle_events
    where is_terminal
),

summarized as (
    select
        person_id,
        cycle_number,
        -- sales accepts a lead by an accepting status or by converting it, whichever
        -- came first: a lead converted straight away was accepted at its conversion
        min(case when stage_code in ('sal', 'sql') then event_at end) as sal_at,
        min(case when stage_code = 'sql' then event_at end) as sql_at,
        min(case when stage_code = 'follow_up' then event_at end) as first_followup_at,
        max(lead_id) as lead_id,
        max(owner_id) as owner_id
    from cycle_events
    group by person_id, cycle_number
),

first_opportunities as (
    -- the cycle's deal: the first created in it (a later one on the same person, an
    -- expansion created on the contact say, does not replace it)
    select
        person_id,
        cycle_number,
        opportunity_id,
        row_number() over (
            partition by person_id, cycle_number
            order by event_at, opportunity_id
        ) as opportunity_order
    from cycle_events
    where stage_code = 'sql' and opportunity_id is not null
),

reasons as (
    select
        cycle_events.person_id,
        cycle_events.cycle_number,
        max(cycle_events.detail) as rejection_reason
    from cycle_events
    inner join ends
        on
            cycle_events.person_id = ends.person_id
            and cycle_events.cycle_number = ends.cycle_number
            and cycle_events.event_at = ends.end_at
            and ends.end_order = 1
    where cycle_events.stage_code = 'rejection_reason'
    group by cycle_events.person_id, cycle_events.cycle_number
),

final as (
    select
        cycles.person_id,
        cycles.cycle_number,
        cycles.mql_at,
        cycles.mql_touch_id,
        cycles.mql_trigger,
        cycles.mql_path,
        cycles.mql_points,
        summarized.first_followup_at,
        summarized.sal_at,
        summarized.sql_at,
        ends.end_stage,
        ends.end_at,
        -- a cycle that ended before sales accepted it was rejected
        case when summarized.sal_at is null then ends.end_at end as rejected_at,
        reasons.rejection_reason,
        summarized.lead_id,
        first_opportunities.opportunity_id,
        summarized.owner_id,
        ends.end_source_system,
        ends.end_record_id,
        cycles.next_mql_at,
        cycles.definitions_version
    from cycles
    left join summarized
        on cycles.person_id = summarized.person_id and cycles.cycle_number = summarized.cycle_number
    left join ends
        on
            cycles.person_id = ends.person_id
            and cycles.cycle_number = ends.cycle_number
            and ends.end_order = 1
    left join reasons
        on cycles.person_id = reasons.person_id and cycles.cycle_number = reasons.cycle_number
    left join first_opportunities
        on
            cycles.person_id = first_opportunities.person_id
            and cycles.cycle_number = first_opportunities.cycle_number
            and first_opportunities.opportunity_order = 1
)

select * from final

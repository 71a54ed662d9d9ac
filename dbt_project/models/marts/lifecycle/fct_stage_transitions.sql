-- One row per person, lifecycle cycle and stage entered, with the record that proves it.
with

cycles as (
    select * from {{ ref('int_lifecycle_cycles') }}
),

touches as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

events as (
    select * from {{ ref('int_crm_lifecycle_events') }}
),

stages as (
    select * from {{ ref('stg_definitions__stages') }}
),

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

first_inquiries as (
    select
        person_id,
        touch_id,
        source_system,
        record_id,
        touched_at,
        row_number() over (
            partition by person_id order by touched_at, touch_type, touch_id
        ) as inquiry_order
    from touches
    where counts_as_inquiry
),

inquiries as (
    select
        person_id,
        1 as cycle_number,
        'inquiry' as stage_code,
        touched_at as entered_at,
        source_system as evidence_system,
        record_id as evidence_record_id
    from first_inquiries
    where inquiry_order = 1
),

mqls as (
    select
        cycles.person_id,
        cycles.cycle_number,
        'mql' as stage_code,
        cycles.mql_at as entered_at,
        touches.source_system as evidence_system,
        touches.record_id as evidence_record_id
    from cycles
    inner join touches on cycles.mql_touch_id = touches.touch_id
),

stage_evidence as (
    select
        cycles.person_id,
        cycles.cycle_number,
        events.stage_code,
        events.event_at,
        events.source_system,
        events.record_id,
        1 as evidence_rank
    from cycles
    inner join events
        on
            cycles.person_id = events.person_id
            and (
                (events.stage_code = 'sal' and cycles.sal_at = events.event_at)
                or (events.stage_code = 'sql' and cycles.sql_at = events.event_at)
                or (cycles.end_stage = events.stage_code and cycles.end_at = events.event_at)
            )
    union all
    -- a lead converted without an accepting status before: its conversion proves the SAL
    -- (int_lifecycle_cycles), second to an accepting status of the same instant
    select
        cycles.person_id,
        cycles.cycle_number,
        'sal' as stage_code,
        events.event_at,
        events.source_system,
        events.record_id,
        2 as evidence_rank
    from cycles
    inner join events
        on
            cycles.person_id = events.person_id
            and events.stage_code = 'sql'
            and cycles.sal_at = events.event_at
),

crm_stages as (
    select
        person_id,
        cycle_number,
        stage_code,
        event_at as entered_at,
        source_system as evidence_system,
        min(record_id) as evidence_record_id,
        min(evidence_rank) as evidence_rank
    from stage_evidence
    group by person_id, cycle_number, stage_code, event_at, source_system
),

first_evidence as (
    -- a stage proven by two systems at once (lead converted = opportunity created) is one row
    select
        *,
        row_number() over (
            partition by person_id, cycle_number, stage_code
            order by evidence_rank, evidence_system
        ) as evidence_order
    from crm_stages
),

unioned as (
    select * from inquiries
    union all
    select * from mqls
    union all
    select
        person_id,
        cycle_number,
        stage_code,
        entered_at,
        evidence_system,
        evidence_record_id
    from first_evidence
    where evidence_order = 1
),

final as (
    select
        {{ dbt.hash(
            "unioned.person_id || ':' || unioned.cycle_number || ':' || unioned.stage_code"
        ) }}
            as stage_transition_id,
        unioned.person_id,
        unioned.cycle_number,
        unioned.stage_code,
        stages.stage_order,
        stages.owner_team as stage_owner_team,
        unioned.evidence_system,
        unioned.evidence_record_id,
        unioned.stage_code = 'mql' and unioned.cycle_number = 1 as is_first_mql,
        unioned.stage_code = 'mql' and unioned.cycle_number = max(
            case when unioned.stage_code = 'mql' then unioned.cycle_number end
        ) over (partition by unioned.person_id) as is_latest_mql,
        unioned.stage_code = 'mql' and unioned.cycle_number > 1 as is_recycle,
        unioned.entered_at,
        agreement.definitions_version
    from unioned
    cross join agreement
    inner join stages on unioned.stage_code = stages.stage_code
)

select * from final

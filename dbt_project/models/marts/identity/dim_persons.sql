-- One row per person, across CRM leads and contacts, MA contacts, cards, event lists and
-- target lists, with their firmographics, first touch and current stage.
with

profiles as (
    select * from {{ ref('int_person_profiles') }}
),

touches as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

transitions as (
    select * from {{ ref('fct_stage_transitions') }}
),

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

ranked_touches as (
    -- the first touch is the first thing the person did (a send is not their action); of
    -- simultaneous ones (two webinars on one day), the first touch type, then the lowest
    -- touch id, on every engine (as fct_stage_transitions picks the first inquiry)
    select
        *,
        row_number() over (
            partition by person_id order by touched_at, touch_type, touch_id
        ) as touch_order
    from touches
    where is_person_action
),

first_touches as (
    select * from ranked_touches
    where touch_order = 1
),

inquiries as (
    select
        person_id,
        min(touched_at) as inquiry_at
    from touches
    where counts_as_inquiry
    group by person_id
),

mql_cycles as (
    -- a cycle starts when the person becomes an MQL; an inquiry alone is no cycle
    select
        person_id,
        count(distinct cycle_number) as cycles
    from transitions
    where stage_code = 'mql'
    group by person_id
),

current_stages as (
    select
        person_id,
        stage_code,
        cycle_number,
        row_number() over (
            partition by person_id
            order by
                cycle_number desc nulls last,
                entered_at desc nulls last,
                stage_order desc nulls last
        ) as recency
    from transitions
),

final as (
    select
        profiles.person_id,
        profiles.title,
        profiles.seniority,
        profiles.seniority_points,
        profiles.account_id,
        profiles.industry_code,
        profiles.size_band,
        profiles.is_fit,
        profiles.match_method,
        profiles.records as source_records,
        profiles.source_systems,
        first_touches.touch_type as first_touch_type,
        first_touches.channel as first_touch_channel,
        first_touches.intent as first_touch_intent,
        first_touches.campaign_name as first_touch_campaign,
        coalesce(current_stages.stage_code, 'known') as current_stage,
        coalesce(mql_cycles.cycles, 0) as lifecycle_cycles,
        first_touches.touched_at as first_touch_at,
        cast(
            {{ to_local_time('first_touches.touched_at', 'agreement.reporting_timezone') }}
            as date
        ) as first_touch_local_date,
        inquiries.inquiry_at,
        agreement.definitions_version
    from profiles
    cross join agreement
    left join first_touches on profiles.person_id = first_touches.person_id
    left join inquiries on profiles.person_id = inquiries.person_id
    left join current_stages
        on profiles.person_id = current_stages.person_id and current_stages.recency = 1
    left join mql_cycles on profiles.person_id = mql_cycles.person_id
)

select * from final

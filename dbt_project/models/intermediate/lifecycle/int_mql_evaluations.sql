-- The MQL rule of the definitions, applied. A lifecycle starts at the first touch that
-- qualifies: a direct-to-sales touch, or (for a fitting person) a touch with a weight
-- whose lookback window, plus seniority points, reaches the threshold. After a cycle
-- ends in a stage the transitions allow back to MQL (recycled, lost), only later touches
-- can trigger the next MQL, and only they count toward it when the definitions say so
-- (mql_resets_after_cycle_end). One row per person and starting point ("boundary": null
-- for the first cycle).
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

touches as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

profiles as (
    select * from {{ ref('int_person_profiles') }}
),

reentry_stages as (
    select distinct from_stage as stage_code
    from {{ ref('stg_definitions__stage_transitions') }}
    where to_stage = 'mql' and from_stage != 'inquiry'
),

inquiries as (
    select
        person_id,
        min(touched_at) as inquiry_at
    from touches
    where counts_as_inquiry
    group by person_id
),

boundaries as (
    select distinct
        person_id,
        cast(null as {{ dbt.type_timestamp() }}) as boundary_at
    from touches
    union all
    select distinct
        events.person_id,
        events.event_at as boundary_at
    from {{ ref('int_crm_lifecycle_events') }} as events
    inner join reentry_stages on events.stage_code = reentry_stages.stage_code
),

candidates as (
    select
        boundaries.person_id,
        boundaries.boundary_at,
        touches.touch_id,
        touches.touch_type,
        touches.touched_at,
        touches.is_direct_to_sales
    from boundaries
    cross join agreement
    inner join touches on boundaries.person_id = touches.person_id
    left join inquiries on boundaries.person_id = inquiries.person_id
    where
        (boundaries.boundary_at is null or touches.touched_at > boundaries.boundary_at)
        and (touches.is_direct_to_sales or touches.weight > 0)
        and (
            not agreement.mql_requires_prior_inquiry
            or touches.touched_at >= inquiries.inquiry_at
        )
),

scored as (
    select
        candidates.person_id,
        candidates.boundary_at,
        candidates.touch_id,
        candidates.touch_type,
        candidates.touched_at,
        candidates.is_direct_to_sales,
        sum(window_touches.weight) as window_points
    from candidates
    cross join agreement
    inner join touches as window_touches
        on
            candidates.person_id = window_touches.person_id
            and candidates.touched_at >= window_touches.touched_at
            and window_touches.touched_at > {{ dbt.dateadd(
                'day', '-1 * agreement.mql_lookback_days', 'candidates.touched_at'
            ) }}
            and (
                candidates.boundary_at is null
                or not agreement.mql_resets_after_cycle_end
                or candidates.boundary_at < window_touches.touched_at
            )
    group by
        candidates.person_id,
        candidates.boundary_at,
        candidates.touch_id,
        candidates.touch_type,
        candidates.touched_at,
        candidates.is_direct_to_sales
),

qualifying as (
    select
        scored.*,
        profiles.is_fit,
        profiles.seniority_points,
        scored.window_points + profiles.seniority_points as mql_points,
        case
            when scored.is_direct_to_sales then 'direct_to_sales' else 'marketing'
        end as mql_path,
        agreement.mql_threshold,
        agreement.definitions_version,
        row_number() over (
            partition by scored.person_id, scored.boundary_at
            order by scored.touched_at, scored.touch_type, scored.touch_id
        ) as qualifying_order
    from scored
    cross join agreement
    inner join profiles on scored.person_id = profiles.person_id
    where
        scored.is_direct_to_sales
        or (
            profiles.is_fit
            and scored.window_points + profiles.seniority_points >= agreement.mql_threshold
        )
),

final as (
    select
        person_id,
        boundary_at,
        touch_id as mql_touch_id,
        touch_type as mql_trigger,
        touched_at as mql_at,
        mql_path,
        window_points,
        seniority_points,
        mql_points,
        mql_threshold,
        is_fit,
        definitions_version
    from qualifying
    where qualifying_order = 1
)

select * from final

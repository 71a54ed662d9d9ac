-- One row per stage an opportunity entered (OpportunityHistory), with the move it was:
-- an advance or a regression between open stages of the agreed order, or the close.
with

history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }}
),

stages as (
    select * from {{ ref('stg_definitions__opportunity_stages') }}
),

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

ordered as (
    select
        history.opportunity_history_id,
        history.opportunity_id,
        history.stage_name,
        stages.stage_order,
        coalesce(stages.is_closed, false) as is_closed,
        coalesce(stages.is_won, false) as is_won,
        history.amount,
        history.probability,
        history.changed_at as entered_at,
        row_number() over (
            partition by history.opportunity_id
            order by history.changed_at, history.opportunity_history_id
        ) as stage_sequence
    from history
    left join stages on history.stage_name = stages.stage_name
),

with_neighbours as (
    select
        *,
        lag(stage_name) over (partition by opportunity_id order by stage_sequence)
            as previous_stage_name,
        lag(stage_order) over (partition by opportunity_id order by stage_sequence)
            as previous_stage_order,
        lag(is_closed) over (partition by opportunity_id order by stage_sequence)
            as previous_is_closed,
        lead(entered_at) over (partition by opportunity_id order by stage_sequence) as left_at
    from ordered
),

final as (
    select
        with_neighbours.opportunity_history_id,
        with_neighbours.opportunity_id,
        with_neighbours.stage_sequence,
        with_neighbours.stage_name,
        with_neighbours.stage_order,
        with_neighbours.previous_stage_name,
        with_neighbours.is_closed,
        with_neighbours.is_won,
        coalesce(
            not with_neighbours.is_closed
            and not with_neighbours.previous_is_closed
            and with_neighbours.stage_order > with_neighbours.previous_stage_order,
            false
        ) as is_advance,
        coalesce(
            not with_neighbours.is_closed
            and not with_neighbours.previous_is_closed
            and with_neighbours.stage_order < with_neighbours.previous_stage_order,
            false
        ) as is_regression,
        with_neighbours.amount,
        with_neighbours.probability,
        {{ divide(
            seconds_between('with_neighbours.entered_at', 'with_neighbours.left_at'), 86400
        ) }} as days_in_stage,
        with_neighbours.entered_at,
        with_neighbours.left_at,
        agreement.definitions_version
    from with_neighbours
    cross join agreement
)

select * from final

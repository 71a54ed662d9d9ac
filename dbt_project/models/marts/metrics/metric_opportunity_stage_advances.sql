-- 商談のステージ進行数: stage advances and regressions of opportunities per period (the
-- period the move happened in), in total and per opportunity that moved. Advances and
-- regressions are moves between open stages in the agreed order; closing is neither.
-- Owner is the opportunity's owner.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

moves as (
    select
        history.opportunity_id,
        history.is_advance,
        history.is_regression,
        {{ slice_columns('opportunity_slices') }},
        cast(
            {{ to_local_time('history.entered_at', 'agreement.reporting_timezone') }} as date
        ) as moved_local_date
    from {{ ref('fct_opportunity_stage_history') }} as history
    cross join agreement
    inner join {{ ref('int_opportunity_slices') }} as opportunity_slices
        on history.opportunity_id = opportunity_slices.opportunity_id
    where history.stage_sequence > 1
),

{% set measures %}
        count(moves.opportunity_id) as stage_changes,
        sum(case when moves.is_advance then 1 else 0 end) as stage_advances,
        sum(case when moves.is_regression then 1 else 0 end) as stage_regressions,
        count(distinct moves.opportunity_id) as opportunities_moved
{% endset %}

counted as (
    {{ sliced_and_total_by_period('moves', 'moved_local_date', funnel_slices(), measures) }}
),

final as (
    select
        counted.*,
        case
            when counted.opportunities_moved > 0
                then
                    cast(counted.stage_advances as {{ type_double() }})
                    / counted.opportunities_moved
        end as advances_per_opportunity,
        case
            when counted.opportunities_moved > 0
                then
                    cast(counted.stage_regressions as {{ type_double() }})
                    / counted.opportunities_moved
        end as regressions_per_opportunity,
        case
            when counted.opportunities_moved = 0 then 'no opportunity moved'
        end as per_opportunity_null_reason,
        agreement.definitions_version
    from counted
    cross join agreement
)

select * from final

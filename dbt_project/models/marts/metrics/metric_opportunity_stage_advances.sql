-- 商談のステージ進行数: stage advances and regressions of opportunities per period (the
-- period the move happened in), in total and per opportunity that moved. Advances and
-- regressions are moves between open stages in the agreed order; closing is neither.
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
        opportunities.owner_id,
        cast(
            {{ to_local_time('history.entered_at', 'agreement.reporting_timezone') }} as date
        ) as moved_local_date
    from {{ ref('fct_opportunity_stage_history') }} as history
    cross join agreement
    inner join {{ ref('fct_opportunities') }} as opportunities
        on history.opportunity_id = opportunities.opportunity_id
    where history.stage_sequence > 1
),

counted as (
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        crm_users.user_name as owner_name,
        crm_users.team_name as owner_team,
        count(*) as stage_changes,
        sum(case when moves.is_advance then 1 else 0 end) as stage_advances,
        sum(case when moves.is_regression then 1 else 0 end) as stage_regressions,
        count(distinct moves.opportunity_id) as opportunities_moved
    from moves
    inner join periods on moves.moved_local_date = periods.calendar_date
    left join {{ ref('stg_salesforce__users') }} as crm_users on moves.owner_id = crm_users.user_id
    group by
        periods.grain, periods.period_label, periods.period_index, crm_users.user_name,
        crm_users.team_name
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

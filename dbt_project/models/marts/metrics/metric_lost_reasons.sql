-- 失注理由の分類と傾向: lost deals by canonical category per period (the period the deal
-- was lost in), each category's share of the period's lost deals and its change against
-- the previous period. The unclassified bucket is a category like the others, so its
-- share is always visible; the raw texts stay in fct_opportunities.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

categories as (
    select * from {{ ref('stg_definitions__lost_reason_categories') }}
),

lost_deals as (
    select
        opportunities.opportunity_id,
        opportunities.lost_reason_category,
        cast(
            {{ to_local_time('opportunities.closed_at', 'agreement.reporting_timezone') }}
            as date
        ) as lost_local_date
    from {{ ref('fct_opportunities') }} as opportunities
    cross join agreement
    where opportunities.outcome = 'lost'
),

counted as (
    select
        periods.grain,
        periods.period_label,
        periods.period_index,
        lost_deals.lost_reason_category,
        count(*) as lost_deals
    from lost_deals
    inner join periods on lost_deals.lost_local_date = periods.calendar_date
    group by
        periods.grain, periods.period_label, periods.period_index,
        lost_deals.lost_reason_category
),

observed_periods as (
    select distinct
        grain,
        period_label,
        period_index
    from counted
),

grid as (
    -- every category in every period with a lost deal, so a category at zero shows
    select
        observed_periods.grain,
        observed_periods.period_label,
        observed_periods.period_index,
        categories.category_code,
        categories.category_order,
        categories.is_unclassified,
        coalesce(counted.lost_deals, 0) as lost_deals
    from observed_periods
    cross join categories
    left join counted
        on
            observed_periods.grain = counted.grain
            and observed_periods.period_index = counted.period_index
            and categories.category_code = counted.lost_reason_category
),

shared as (
    select
        *,
        sum(lost_deals) over (partition by grain, period_index) as period_lost_deals
    from grid
),

rated as (
    select
        *,
        case
            when period_lost_deals > 0
                then cast(lost_deals as {{ type_double() }}) / period_lost_deals
        end as share_of_lost
    from shared
),

final as (
    select
        rated.grain,
        rated.period_label,
        rated.period_index,
        rated.category_code as lost_reason_category,
        rated.category_order,
        rated.is_unclassified,
        rated.lost_deals,
        rated.period_lost_deals,
        rated.share_of_lost,
        case when rated.period_lost_deals = 0 then 'no lost deals' end
            as share_of_lost_null_reason,
        previous_period.share_of_lost as previous_share_of_lost,
        rated.share_of_lost - previous_period.share_of_lost as share_of_lost_change,
        agreement.definitions_version
    from rated
    cross join agreement
    left join rated as previous_period
        on
            rated.grain = previous_period.grain
            and rated.category_code = previous_period.category_code
            and rated.period_index = previous_period.period_index + 1
)

select * from final

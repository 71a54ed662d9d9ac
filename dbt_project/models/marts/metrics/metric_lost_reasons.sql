-- 失注理由の分類と傾向: lost deals by canonical category per period (the period the deal
-- was lost in), each category's share of the lost deals of its period and slice, and
-- the change against the previous period. The unclassified bucket is a category like
-- the others, so its share is always visible; total rows hold every category in every
-- period; the raw texts stay in fct_opportunities. Owner is the opportunity's owner.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

categories as (
    select
        category_code as lost_reason_category,
        category_order,
        is_unclassified
    from {{ ref('stg_definitions__lost_reason_categories') }}
),

lost_deals as (
    select
        opportunities.opportunity_id,
        opportunities.lost_reason_category,
        {{ slice_columns('opportunity_slices') }},
        opportunities.closed_local_date as lost_local_date
    from {{ ref('fct_opportunities') }} as opportunities
    inner join {{ ref('int_opportunity_slices') }} as opportunity_slices
        on opportunities.opportunity_id = opportunity_slices.opportunity_id
    where opportunities.outcome = 'lost'
),

{% set measures %}
        count(lost_deals.opportunity_id) as lost_deals
{% endset %}

counted as (
    {{ sliced_and_total_by_period(
        'lost_deals', 'lost_local_date', funnel_slices(), measures,
        keys=['lost_reason_category'], key_domain='categories'
    ) }}
),

shared as (
    select
        *,
        sum(lost_deals) over (partition by {{ same_period_and_slice() }}) as period_lost_deals
    from counted
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
        rated.period_start_date,
        rated.period_end_date,
        rated.lost_reason_category,
        categories.category_order,
        categories.is_unclassified,
        {{ slice_columns('rated') }},
        rated.is_total,
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
    left join categories on rated.lost_reason_category = categories.lost_reason_category
    left join rated as previous_period
        on {{ same_slice_previous_period(
            'rated', 'previous_period', ['lost_reason_category'] + funnel_slices()
        ) }}
)

select * from final

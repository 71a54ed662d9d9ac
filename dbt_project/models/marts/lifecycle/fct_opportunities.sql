-- One row per opportunity: who and which account, outcome, stage moves, and the lost
-- reason classified by the agreed taxonomy next to the text it came from.
with

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

opportunity_persons as (
    -- the person of the lead converted into it, or of its primary contact
    select * from {{ ref('int_opportunity_persons') }}
    where is_primary_person
),

stage_history as (
    select * from {{ ref('fct_opportunity_stage_history') }}
),

patterns as (
    select * from {{ ref('stg_definitions__lost_reason_patterns') }}
),

categories as (
    select * from {{ ref('stg_definitions__lost_reason_categories') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

moves as (
    select
        opportunity_id,
        count(*) - 1 as stage_changes,
        sum(case when is_advance then 1 else 0 end) as stage_advances,
        sum(case when is_regression then 1 else 0 end) as stage_regressions,
        min(case when is_closed then entered_at end) as closed_at
    from stage_history
    group by opportunity_id
),

matches as (
    -- the first category, in the agreed order, with a pattern found in the text
    select
        opportunities.opportunity_id,
        categories.category_code,
        row_number() over (
            partition by opportunities.opportunity_id
            order by categories.category_order, patterns.pattern_key
        ) as match_order
    from opportunities
    inner join patterns
        on
            {{ normalize_text('opportunities.lost_reason_text') }} like '%'
            || patterns.pattern_key
            || '%'
    inner join categories on patterns.category_code = categories.category_code
),

unclassified as (
    select category_code from categories
    where is_unclassified
),

final as (
    select
        opportunities.opportunity_id,
        opportunity_persons.person_id,
        persons.account_id,
        opportunities.account_id as crm_account_id,
        opportunity_persons.lead_id,
        opportunities.contact_id,
        opportunity_persons.linked_by as person_linked_by,
        opportunities.campaign_id,
        opportunities.owner_id,
        opportunities.opportunity_name,
        opportunities.stage_name as current_stage_name,
        case
            when opportunities.is_won then 'won'
            when opportunities.is_closed then 'lost'
            else 'open'
        end as outcome,
        opportunities.lost_reason_text,
        case
            when opportunities.is_closed and not opportunities.is_won
                then coalesce(matches.category_code, unclassified.category_code)
        end as lost_reason_category,
        opportunities.amount,
        opportunities.lead_source,
        coalesce(moves.stage_changes, 0) as stage_changes,
        coalesce(moves.stage_advances, 0) as stage_advances,
        coalesce(moves.stage_regressions, 0) as stage_regressions,
        opportunities.close_date,
        opportunities.created_at,
        moves.closed_at,
        opportunities.last_modified_at,
        cast(
            {{ to_local_time('opportunities.created_at', 'agreement.reporting_timezone') }}
            as date
        ) as created_local_date,
        cast(
            {{ to_local_time('moves.closed_at', 'agreement.reporting_timezone') }} as date
        ) as closed_local_date,
        agreement.definitions_version
    from opportunities
    cross join agreement
    cross join unclassified
    -- none while neither the lead nor the contact is in (an export that lands later)
    left join opportunity_persons
        on opportunities.opportunity_id = opportunity_persons.opportunity_id
    left join persons on opportunity_persons.person_id = persons.person_id
    left join moves on opportunities.opportunity_id = moves.opportunity_id
    left join matches
        on opportunities.opportunity_id = matches.opportunity_id and matches.match_order = 1
)

select * from final

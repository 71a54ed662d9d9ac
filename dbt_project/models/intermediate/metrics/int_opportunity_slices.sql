-- The slices an opportunity-based metric is cut by, once per opportunity: the person's
-- first touch, industry and size band, and the opportunity's own owner and team.
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

final as (
    select
        opportunities.opportunity_id,
        person_slices.first_touch_channel,
        person_slices.first_touch_intent,
        person_slices.first_touch_campaign,
        person_slices.industry_code,
        person_slices.size_band,
        opportunities.owner_id,
        crm_users.team_name as owner_team
    from opportunities
    left join {{ ref('int_person_slices') }} as person_slices
        on opportunities.person_id = person_slices.person_id
    left join {{ ref('stg_salesforce__users') }} as crm_users
        on opportunities.owner_id = crm_users.user_id
)

select * from final

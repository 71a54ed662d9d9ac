-- The slices a person-based metric is cut by, once per person: the first touch (channel,
-- intent, campaign), the account's industry and size band, and the sales owner of the
-- person's first lead (null while sales has no lead for the person).
with

persons as (
    select * from {{ ref('dim_persons') }}
),

owned_cycles as (
    select
        person_id,
        owner_id,
        owner_team,
        row_number() over (partition by person_id order by cycle_number) as owner_rank
    from {{ ref('fct_lead_lifecycle') }}
    where owner_id is not null
),

final as (
    select
        persons.person_id,
        persons.first_touch_channel,
        persons.first_touch_intent,
        persons.first_touch_campaign,
        persons.industry_code,
        persons.size_band,
        owned_cycles.owner_id,
        owned_cycles.owner_team
    from persons
    left join owned_cycles
        on persons.person_id = owned_cycles.person_id and owned_cycles.owner_rank = 1
)

select * from final

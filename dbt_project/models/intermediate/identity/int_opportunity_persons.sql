-- Whose deal an opportunity is: the person of each lead converted into it (the funnel
-- followed that person to the deal) or, for a deal created on a contact and not from a
-- lead, the person of its primary contact. One row per opportunity and person;
-- is_primary_person marks the one person an opportunity-level table shows.
with

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

matched_records as (
    select * from {{ ref('int_person_records_matched') }}
    where match_method != 'unmatched'
),

converted_leads as (
    -- not joined to the opportunity export: its history may land before it does
    select
        leads.converted_opportunity_id as opportunity_id,
        lead_records.person_id,
        leads.lead_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        'converted_lead' as linked_by,
        leads.converted_date
    from leads
    inner join matched_records as lead_records
        on lead_records.source_system = 'crm_lead' and leads.lead_id = lead_records.record_id
    where leads.converted_opportunity_id is not null
),

primary_contacts as (
    -- a deal no (matched) lead was converted into: its primary contact's person
    select
        opportunities.opportunity_id,
        contact_records.person_id,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        opportunities.contact_id,
        'primary_contact' as linked_by,
        cast(null as date) as converted_date
    from opportunities
    inner join matched_records as contact_records
        on
            contact_records.source_system = 'crm_contact'
            and opportunities.contact_id = contact_records.record_id
    left join converted_leads on opportunities.opportunity_id = converted_leads.opportunity_id
    where converted_leads.opportunity_id is null
),

linked as (
    select * from converted_leads
    union all
    select * from primary_contacts
),

ranked as (
    select
        *,
        -- several leads converted into one deal: the first converted is its person
        row_number() over (
            partition by opportunity_id
            order by case when converted_date is null then 1 else 0 end, converted_date, lead_id
        ) as person_rank
    from linked
),

final as (
    select
        opportunity_id,
        person_id,
        lead_id,
        contact_id,
        linked_by,
        person_rank = 1 as is_primary_person
    from ranked
)

select * from final

-- What sales recorded in the CRM, as lifecycle evidence per person: lead status changes
-- (mapped to stages by the definitions), rejection reasons and follow-up activities on
-- leads (the lead's person), opportunities created and closed (the person of the first
-- lead converted into it, or of its primary contact: int_opportunity_persons).
with

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

lead_statuses as (
    select * from {{ ref('stg_definitions__crm_lead_statuses') }}
),

opportunity_stages as (
    select * from {{ ref('stg_definitions__opportunity_stages') }}
),

lead_history as (
    select * from {{ ref('stg_salesforce__lead_history') }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

opportunity_persons as (
    -- a deal is one person's: another lead converted into it reaches SQL by its status
    select * from {{ ref('int_opportunity_persons') }}
    where is_primary_person
),

status_changes as (
    select
        lead_history.lead_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        lead_statuses.stage_code,
        cast(null as {{ dbt.type_string() }}) as detail,
        lead_history.changed_at as event_at,
        'crm_lead_history' as source_system,
        lead_history.lead_history_id as record_id
    from lead_history
    inner join lead_statuses on lead_history.new_value = lead_statuses.lead_status
    where lead_history.field_name = 'Status'
),

rejection_reasons as (
    select
        lead_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        'rejection_reason' as stage_code,
        new_value as detail,
        changed_at as event_at,
        'crm_lead_history' as source_system,
        lead_history_id as record_id
    from lead_history
    where
        field_name = '{{ var("salesforce_lead_rejection_reason_field") }}'
        and new_value is not null
),

opportunities_created as (
    select
        opportunities.opportunity_id,
        'sql' as stage_code,
        cast(null as {{ dbt.type_string() }}) as detail,
        opportunities.created_at as event_at,
        'crm_opportunity' as source_system,
        opportunities.opportunity_id as record_id
    from opportunities
),

opportunities_closed as (
    select
        history.opportunity_id,
        case when opportunity_stages.is_won then 'won' else 'lost' end as stage_code,
        history.stage_name as detail,
        history.changed_at as event_at,
        'crm_opportunity_history' as source_system,
        history.opportunity_history_id as record_id
    from {{ ref('stg_salesforce__opportunity_history') }} as history
    inner join opportunity_stages
        on history.stage_name = opportunity_stages.stage_name and opportunity_stages.is_closed
),

follow_ups as (
    select
        crm_tasks.who_id as lead_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        'follow_up' as stage_code,
        crm_tasks.task_subtype as detail,
        crm_tasks.created_at as event_at,
        'crm_task' as source_system,
        crm_tasks.task_id as record_id
    from {{ ref('stg_salesforce__tasks') }} as crm_tasks
    inner join leads on crm_tasks.who_id = leads.lead_id
),

lead_events as (
    select * from status_changes
    union all
    select * from rejection_reasons
    union all
    select * from follow_ups
),

opportunity_events as (
    select * from opportunities_created
    union all
    select * from opportunities_closed
),

final as (
    -- a lead's events: the lead's person, as the identity layer decided it
    select
        lead_records.person_id,
        lead_events.lead_id,
        lead_events.opportunity_id,
        leads.owner_id,
        lead_events.stage_code,
        lead_events.detail,
        lead_events.event_at,
        lead_events.source_system,
        lead_events.record_id
    from lead_events
    inner join leads on lead_events.lead_id = leads.lead_id
    inner join {{ ref('int_person_records_matched') }} as lead_records
        on lead_records.source_system = 'crm_lead' and leads.lead_id = lead_records.record_id
    where lead_records.match_method != 'unmatched'
    union all
    -- a deal's events: its person; the owner is the converted lead's, else the deal's
    select
        opportunity_persons.person_id,
        opportunity_persons.lead_id,
        opportunity_events.opportunity_id,
        coalesce(leads.owner_id, opportunities.owner_id) as owner_id,
        opportunity_events.stage_code,
        opportunity_events.detail,
        opportunity_events.event_at,
        opportunity_events.source_system,
        opportunity_events.record_id
    from opportunity_events
    inner join opportunity_persons
        on opportunity_events.opportunity_id = opportunity_persons.opportunity_id
    left join leads on opportunity_persons.lead_id = leads.lead_id
    left join opportunities on opportunity_events.opportunity_id = opportunities.opportunity_id
)

select * from final

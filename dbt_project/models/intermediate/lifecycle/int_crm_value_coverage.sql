-- Every CRM picklist value the definitions must name to place a record: each lead status
-- and each opportunity stage seen in the CRM (current values and history), how many
-- records hold it, and what the definitions make of it. A status no stage maps is no stage
-- change; a stage outside the agreed order neither advances nor closes a deal. Unknown
-- values with records are what the check `unknown_crm_values` reports.
with

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

lead_history as (
    select * from {{ ref('stg_salesforce__lead_history') }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

opportunity_history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }}
),

lead_statuses as (
    select * from {{ ref('stg_definitions__crm_lead_statuses') }}
),

opportunity_stages as (
    select * from {{ ref('stg_definitions__opportunity_stages') }}
),

status_records as (
    select lead_status as crm_value from leads
    union all
    select new_value as crm_value from lead_history
    where field_name = 'Status'
),

stage_records as (
    select stage_name as crm_value from opportunities
    union all
    select stage_name as crm_value from opportunity_history
),

status_values as (
    select
        crm_value,
        count(*) as records
    from status_records
    where crm_value is not null
    group by crm_value
),

stage_values as (
    select
        crm_value,
        count(*) as records
    from stage_records
    where crm_value is not null
    group by crm_value
),

final as (
    select
        'lead_status' as value_kind,
        status_values.crm_value,
        status_values.records,
        lead_statuses.stage_code as defined_as,
        lead_statuses.lead_status is null as is_unknown
    from status_values
    left join lead_statuses on status_values.crm_value = lead_statuses.lead_status
    union all
    select
        'opportunity_stage' as value_kind,
        stage_values.crm_value,
        stage_values.records,
        case
            when opportunity_stages.is_won then 'won'
            when opportunity_stages.is_closed then 'lost'
            when opportunity_stages.stage_name is not null then 'open'
        end as defined_as,
        opportunity_stages.stage_name is null as is_unknown
    from stage_values
    left join opportunity_stages on stage_values.crm_value = opportunity_stages.stage_name
)

select * from final

-- Every record, in any system, that stands for a person, in one shape: the profiles
-- (contacts, leads, cards, lists) and the records of what a person did (form submissions,
-- email events). A person exists from the first record that identifies them, whichever
-- export lands first, and every touch takes its person from here.
with

hubspot_contacts as (
    -- a contact merged into another stands for the surviving contact's person: it takes
    -- the surviving contact's email (its own record, title and company stay)
    select
        'hubspot_contact' as source_system,
        contacts.contact_id as record_id,
        coalesce(surviving.email, contacts.email) as email,
        contacts.full_name,
        contacts.company_key,
        contacts.title,
        contacts.industry_label,
        cast(null as {{ dbt.type_int() }}) as number_of_employees,
        contacts.created_at as recorded_at
    from {{ ref('stg_hubspot__contacts') }} as contacts
    left join {{ ref('stg_hubspot__contact_merges') }} as contact_merges
        on contacts.contact_id = contact_merges.merged_contact_id
    left join {{ ref('stg_hubspot__contacts') }} as surviving
        on contact_merges.contact_id = surviving.contact_id
),

crm_leads as (
    select
        'crm_lead' as source_system,
        lead_id as record_id,
        email,
        full_name,
        company_key,
        title,
        industry_label,
        number_of_employees,
        created_at as recorded_at
    from {{ ref('stg_salesforce__leads') }}
),

crm_contacts as (
    select
        'crm_contact' as source_system,
        contacts.contact_id as record_id,
        contacts.email,
        contacts.full_name,
        crm_accounts.company_key,
        contacts.title,
        crm_accounts.industry_label,
        crm_accounts.number_of_employees,
        contacts.created_at as recorded_at
    from {{ ref('stg_salesforce__contacts') }} as contacts
    left join {{ ref('stg_salesforce__accounts') }} as crm_accounts
        on contacts.account_id = crm_accounts.account_id
),

business_cards as (
    select
        'business_card' as source_system,
        card_id as record_id,
        email,
        full_name,
        company_key,
        title,
        cast(null as {{ dbt.type_string() }}) as industry_label,
        cast(null as {{ dbt.type_int() }}) as number_of_employees,
        registered_at as recorded_at
    from {{ ref('stg_events__business_cards') }}
),

event_attendees as (
    select
        'event_attendee' as source_system,
        registration_id as record_id,
        email,
        full_name,
        company_key,
        title,
        cast(null as {{ dbt.type_string() }}) as industry_label,
        cast(null as {{ dbt.type_int() }}) as number_of_employees,
        registered_at as recorded_at
    from {{ ref('stg_events__attendees') }}
),

surviving_contacts as (
    -- a contact merged into another stands for the surviving contact
    select
        contacts.contact_id as named_contact_id,
        surviving.email
    from {{ ref('stg_hubspot__contacts') }} as contacts
    left join {{ ref('stg_hubspot__contact_merges') }} as contact_merges
        on contacts.contact_id = contact_merges.merged_contact_id
    inner join {{ ref('stg_hubspot__contacts') }} as surviving
        on coalesce(contact_merges.contact_id, contacts.contact_id) = surviving.contact_id
),

form_submissions as (
    -- the email typed into the form; else (Fivetran lands none) the contact's
    select
        'form_submission' as source_system,
        submissions.form_submission_id as record_id,
        coalesce(submissions.email, surviving_contacts.email) as email,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as company_key,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as industry_label,
        cast(null as {{ dbt.type_int() }}) as number_of_employees,
        submissions.submitted_at as recorded_at
    from {{ ref('stg_hubspot__form_submissions') }} as submissions
    left join surviving_contacts
        on submissions.contact_id = surviving_contacts.named_contact_id
),

email_events as (
    -- the events that are touches (a delivery receipt, an agreed non-touch, is no record
    -- of the person: one connector lands them, an export does not)
    select
        'email_event' as source_system,
        events.email_event_id || ':' || events.event_type as record_id,
        events.email,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as company_key,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as industry_label,
        cast(null as {{ dbt.type_int() }}) as number_of_employees,
        events.occurred_at as recorded_at
    from {{ ref('stg_hubspot__email_events') }} as events
    inner join {{ ref('stg_definitions__touch_source_mappings') }} as mappings
        on
            mappings.source_kind = 'email_event_type'
            and events.event_type = mappings.source_value
            and mappings.touch_type is not null
),

target_lists as (
    select
        'target_list' as source_system,
        list_name || '/' || list_row_id as record_id,
        email,
        full_name,
        company_key,
        title,
        industry_label,
        employee_count as number_of_employees,
        cast(purchased_on as {{ dbt.type_timestamp() }}) as recorded_at
    from {{ ref('stg_target_lists__target_accounts') }}
),

unioned as (
    select * from hubspot_contacts
    union all
    select * from crm_leads
    union all
    select * from crm_contacts
    union all
    select * from business_cards
    union all
    select * from event_attendees
    union all
    select * from target_lists
    union all
    select * from form_submissions
    union all
    select * from email_events
),

keyed as (
    select
        source_system,
        record_id,
        email,
        {{ email_domain('email') }} as email_domain,
        {{ name_key('full_name') }} as name_key,
        full_name,
        company_key,
        {{ normalize_text('title') }} as title_key,
        title,
        industry_label,
        number_of_employees,
        recorded_at
    from unioned
)

select * from keyed

-- Every interaction a person had with marketing, as a touch type from the definitions,
-- with its channel, intent class and MQL weight.
with

mappings as (
    select * from {{ ref('stg_definitions__touch_source_mappings') }}
),

touch_types as (
    select * from {{ ref('stg_definitions__touch_types') }}
),

contacts as (
    -- a submission names a HubSpot contact; a contact merged into another stands for the
    -- surviving one (the email typed into the form, where the source keeps it, comes first)
    select
        coalesce(contact_merges.contact_id, contacts.contact_id) as contact_id,
        contacts.contact_id as named_contact_id
    from {{ ref('stg_hubspot__contacts') }} as contacts
    left join {{ ref('stg_hubspot__contact_merges') }} as contact_merges
        on contacts.contact_id = contact_merges.merged_contact_id
),

form_submissions as (
    select
        'form_submission' as source_system,
        submissions.form_submission_id as record_id,
        coalesce(submissions.email, surviving.email) as email,
        submissions.submitted_at as touched_at,
        forms.touch_type,
        forms.form_name as campaign_name,
        cast(null as {{ dbt.type_string() }}) as email_type
    from {{ ref('stg_hubspot__form_submissions') }} as submissions
    inner join {{ ref('int_forms_mapped') }} as forms
        on submissions.form_id = forms.form_id
    left join contacts
        on submissions.contact_id = contacts.named_contact_id
    left join {{ ref('stg_hubspot__contacts') }} as surviving
        on contacts.contact_id = surviving.contact_id
),

email_events as (
    select
        'email_event' as source_system,
        events.email_event_id || ':' || events.event_type as record_id,
        events.email,
        events.occurred_at as touched_at,
        mappings.touch_type,
        campaigns.email_campaign_name as campaign_name,
        campaigns.email_type
    from {{ ref('stg_hubspot__email_events') }} as events
    inner join mappings
        on mappings.source_kind = 'email_event_type' and events.event_type = mappings.source_value
    left join {{ ref('stg_hubspot__email_campaigns') }} as campaigns
        on events.email_campaign_id = campaigns.email_campaign_id
),

attendances as (
    select
        'event_attendee' as source_system,
        attendees.registration_id as record_id,
        attendees.email,
        {{ local_midnight_utc('attendees.event_date', "'" ~ var('events_timezone') ~ "'") }}
            as touched_at,
        mappings.touch_type,
        attendees.event_name as campaign_name,
        cast(null as {{ dbt.type_string() }}) as email_type,
        -- a person registered twice for one event still attends it once
        row_number() over (
            partition by attendees.email, attendees.event_name, attendees.event_date
            order by attendees.registered_at, attendees.registration_id
        ) as attendance_order
    from {{ ref('stg_events__attendees') }} as attendees
    inner join mappings
        on
            mappings.source_kind = 'attendance_status'
            and attendees.attendance_status = mappings.source_value
),

card_swaps as (
    select
        'business_card' as source_system,
        cards.card_id as record_id,
        cards.email,
        {{ local_midnight_utc('cards.exchanged_on', "'" ~ var('events_timezone') ~ "'") }}
            as touched_at,
        mappings.touch_type,
        cards.exchange_place as campaign_name,
        cast(null as {{ dbt.type_string() }}) as email_type
    from {{ ref('stg_events__business_cards') }} as cards
    inner join mappings on mappings.source_kind = 'business_card'
),

unioned as (
    select * from form_submissions
    union all
    select * from email_events
    union all
    select
        source_system,
        record_id,
        email,
        touched_at,
        touch_type,
        campaign_name,
        email_type
    from attendances
    where attendance_order = 1
    union all
    select * from card_swaps
),

final as (
    select
        {{ dbt.hash("unioned.source_system || ':' || unioned.record_id") }} as touch_id,
        {{ dbt.hash('unioned.email') }} as person_id,
        unioned.source_system,
        unioned.record_id,
        unioned.touch_type,
        touch_types.channel,
        touch_types.intent,
        touch_types.weight,
        touch_types.counts_as_inquiry,
        touch_types.counts_as_response,
        touch_types.is_direct_to_sales,
        touch_types.is_person_action,
        unioned.campaign_name,
        unioned.email_type,
        unioned.touched_at,
        touch_types.definitions_version
    from unioned
    inner join touch_types on unioned.touch_type = touch_types.touch_type
    where unioned.email is not null and unioned.touched_at is not null
)

select * from final

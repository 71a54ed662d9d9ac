-- Every interaction a person had with marketing, as a touch type from the definitions,
-- with its channel, intent class and MQL weight.
with

mappings as (
    select * from {{ ref('stg_definitions__touch_source_mappings') }}
),

touch_types as (
    select * from {{ ref('stg_definitions__touch_types') }}
),

form_submissions as (
    select
        'form_submission' as source_system,
        submissions.form_submission_id as record_id,
        submissions.submitted_at as touched_at,
        forms.touch_type,
        forms.form_name as campaign_name,
        cast(null as {{ dbt.type_string() }}) as email_type
    from {{ ref('stg_hubspot__form_submissions') }} as submissions
    inner join {{ ref('int_forms_mapped') }} as forms
        on submissions.form_id = forms.form_id
),

email_events as (
    select
        'email_event' as source_system,
        events.email_event_id || ':' || events.event_type as record_id,
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
        {{ local_midnight_utc('attendees.event_date', "'" ~ var('events_timezone') ~ "'") }}
            as touched_at,
        mappings.touch_type,
        attendees.event_name as campaign_name,
        cast(null as {{ dbt.type_string() }}) as email_type,
        attendees.registered_at as ordered_at
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
        {{ local_midnight_utc('cards.exchanged_on', "'" ~ var('events_timezone') ~ "'") }}
            as touched_at,
        mappings.touch_type,
        cards.exchange_place as campaign_name,
        cast(null as {{ dbt.type_string() }}) as email_type
    from {{ ref('stg_events__business_cards') }} as cards
    inner join mappings on mappings.source_kind = 'business_card'
),

unioned as (
    select
        *,
        touched_at as ordered_at
    from form_submissions
    union all
    select
        *,
        touched_at as ordered_at
    from email_events
    union all
    select * from attendances
    union all
    select
        *,
        touched_at as ordered_at
    from card_swaps
),

attributed as (
    -- every touch takes its person from the identity layer: the person its record belongs
    -- to (a record that identifies nobody, `unmatched`, makes no touch)
    select
        unioned.*,
        records.person_id,
        -- a person registered twice for one event still attends it once
        row_number() over (
            partition by
                records.person_id, unioned.source_system, unioned.campaign_name,
                unioned.touched_at
            -- a registration without a time sorts last on every engine (Spark: first)
            order by unioned.ordered_at nulls last, unioned.record_id
        ) as occurrence
    from unioned
    inner join {{ ref('int_person_records_matched') }} as records
        on
            unioned.source_system = records.source_system
            and unioned.record_id = records.record_id
    where records.match_method != 'unmatched'
),

final as (
    select
        {{ dbt.hash("attributed.source_system || ':' || attributed.record_id") }} as touch_id,
        attributed.person_id,
        attributed.source_system,
        attributed.record_id,
        attributed.touch_type,
        touch_types.channel,
        touch_types.intent,
        touch_types.weight,
        touch_types.counts_as_inquiry,
        touch_types.counts_as_response,
        touch_types.is_direct_to_sales,
        touch_types.is_person_action,
        attributed.campaign_name,
        attributed.email_type,
        attributed.touched_at,
        touch_types.definitions_version
    from attributed
    inner join touch_types on attributed.touch_type = touch_types.touch_type
    where
        attributed.touched_at is not null
        and (attributed.source_system != 'event_attendee' or attributed.occurrence = 1)
)

select * from final

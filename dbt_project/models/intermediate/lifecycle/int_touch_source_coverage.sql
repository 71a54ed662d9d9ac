-- Every source value that could be a touch (each form, email event type and attendance
-- status seen in the sources) with how many records hold it and what the definitions make
-- of it: a touch type, an agreed non-touch, or unmapped. Unmapped values with records are
-- what the check `unmapped_touch_sources` reports: touches that would otherwise vanish.
with

mappings as (
    select * from {{ ref('stg_definitions__touch_source_mappings') }}
),

form_values as (
    select
        'form' as source_kind,
        forms.form_id as source_value,
        forms.form_name as source_label,
        forms.touch_type,
        count(submissions.form_submission_id) as records
    from {{ ref('int_forms_mapped') }} as forms
    left join {{ ref('stg_hubspot__form_submissions') }} as submissions
        on forms.form_id = submissions.form_id
    group by 1, 2, 3, 4
),

email_values as (
    select
        'email_event_type' as source_kind,
        event_type as source_value,
        event_type as source_label,
        count(*) as records
    from {{ ref('stg_hubspot__email_events') }}
    group by 1, 2, 3
),

attendance_values as (
    select
        'attendance_status' as source_kind,
        attendance_status as source_value,
        attendance_status as source_label,
        count(*) as records
    from {{ ref('stg_events__attendees') }}
    group by 1, 2, 3
),

valued as (
    select
        source_kind,
        source_value,
        source_label,
        records
    from email_values
    union all
    select
        source_kind,
        source_value,
        source_label,
        records
    from attendance_values
),

final as (
    select
        source_kind,
        source_value,
        source_label,
        records,
        touch_type,
        touch_type is null as is_unmapped,
        false as is_agreed_non_touch
    from form_values
    union all
    select
        valued.source_kind,
        valued.source_value,
        valued.source_label,
        valued.records,
        mappings.touch_type,
        mappings.source_kind is null as is_unmapped,
        coalesce(mappings.source_kind is not null and mappings.touch_type is null, false)
            as is_agreed_non_touch
    from valued
    left join mappings
        on
            valued.source_kind = mappings.source_kind
            and valued.source_value = mappings.source_value
)

select * from final

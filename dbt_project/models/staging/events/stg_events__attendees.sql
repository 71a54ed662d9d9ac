with

landed as (
    {{ landed_rows(
        'raw_events', 'event_attendee',
        key='registration_id'
    ) }}
),

renamed as (
    select
        -- ids
        registration_id,
        -- strings
        event_name,
        event_type,
        {{ normalize_email('email') }} as email,
        full_name,
        company_name,
        {{ company_key('company_name') }} as company_key,
        department,
        title,
        trim(attendance_status) as attendance_status,
        -- dates
        event_date,
        -- timestamps
        registered_at
    from landed
)

select * from renamed

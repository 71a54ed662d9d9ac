with

source as (
    select * from {{ source('raw_events', 'event_attendee') }}
),

latest as (
    select
        *,
        {{ export_rank('registration_id') }} as export_rank
    from source
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
    from latest
    where export_rank = 1
)

select * from renamed

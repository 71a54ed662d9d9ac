with

source as (
    select * from {{ source('raw_hubspot', 'contact_form_submission') }}
),

latest as (
    select
        *,
        {{ export_rank('conversion_id') }} as export_rank
    from source
),

renamed as (
    select
        -- ids
        conversion_id as form_submission_id,
        contact_id,
        form_id,
        -- strings
        {{ normalize_email('email') }} as email,
        page_url,
        -- timestamps
        {{ adapter.quote("timestamp") }} as submitted_at
    from latest
    where export_rank = 1
)

select * from renamed

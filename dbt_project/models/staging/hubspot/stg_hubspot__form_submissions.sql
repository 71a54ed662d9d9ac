with

source as (
    select * from {{ source('raw_hubspot', 'contact_form_submission') }}
),

latest as (
    select
        *,
        row_number() over (
            partition by conversion_id order by _loaded_at desc, _source_file desc
        ) as export_rank
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

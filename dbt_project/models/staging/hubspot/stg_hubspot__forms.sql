with

source as (
    select * from {{ source('raw_hubspot', 'form') }}
),

latest as (
    select
        *,
        {{ export_rank('guid') }} as export_rank
    from source
),

renamed as (
    select
        guid as form_id,
        name as form_name,
        trim(form_type) as form_type,
        created_at
    from latest
    where export_rank = 1
)

select * from renamed

with

source as (
    select * from {{ source('raw_hubspot', 'email_campaign') }}
),

latest as (
    select
        *,
        {{ export_rank('id') }} as export_rank
    from source
),

renamed as (
    select
        id as email_campaign_id,
        name as email_campaign_name,
        subject,
        type as email_type,
        created as created_at
    from latest
    where export_rank = 1
)

select * from renamed

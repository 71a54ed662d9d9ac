with

source as (
    select * from {{ source('raw_salesforce', 'campaign_member') }}
),

latest as (
    select
        *,
        {{ export_rank('id') }} as export_rank
    from source
),

renamed as (
    select
        -- ids
        id as campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        -- strings
        status as member_status,
        -- booleans
        coalesce(has_responded, false) as has_responded,
        -- dates
        first_responded_date,
        -- timestamps
        created_date as created_at
    from latest
    where export_rank = 1
)

select * from renamed

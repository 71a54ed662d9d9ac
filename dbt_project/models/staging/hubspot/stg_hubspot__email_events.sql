with

source as (
    select * from {{ source('raw_hubspot', 'email_event') }}
),

latest as (
    select
        *,
        {{ export_rank('id, type') }} as export_rank
    from source
),

renamed as (
    select
        -- ids
        id as email_event_id,
        email_campaign_id,
        -- strings
        upper(trim(type)) as event_type,
        {{ normalize_email('recipient') }} as email,
        url,
        -- timestamps
        created as occurred_at
    from latest
    where export_rank = 1
)

select * from renamed

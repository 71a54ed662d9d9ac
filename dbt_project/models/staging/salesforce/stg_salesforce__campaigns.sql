with

source as (
    select * from {{ source('raw_salesforce', 'campaign') }}
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
        id as campaign_id,
        -- strings
        name as campaign_name,
        type as campaign_type,
        status as campaign_status,
        -- booleans
        is_active,
        -- dates
        start_date,
        end_date,
        -- timestamps
        created_date as created_at
    from latest
    where export_rank = 1
)

select * from renamed

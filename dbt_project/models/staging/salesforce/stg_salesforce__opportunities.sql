with

source as (
    select * from {{ source('raw_salesforce', 'opportunity') }}
),

latest as (
    -- later exports carry later stages ("late updates"): keep the latest version
    select
        *,
        {{ export_rank('id', 'last_modified_date') }} as export_rank
    from source
),

renamed as (
    select
        -- ids
        id as opportunity_id,
        account_id,
        campaign_id,
        owner_id,
        -- strings
        name as opportunity_name,
        stage_name,
        lead_source,
        lost_reason_c as lost_reason_text,
        -- numerics
        amount,
        probability,
        -- booleans
        coalesce(is_closed, false) as is_closed,
        coalesce(is_won, false) as is_won,
        -- dates
        close_date,
        -- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at
    from latest
    where export_rank = 1 and not coalesce(is_deleted, false)
)

select * from renamed

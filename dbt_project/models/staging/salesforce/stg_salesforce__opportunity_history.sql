with

source as (
    select * from {{ source('raw_salesforce', 'opportunity_history') }}
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
        id as opportunity_history_id,
        opportunity_id,
        created_by_id,
        -- strings
        stage_name,
        -- numerics
        amount,
        probability,
        -- dates
        close_date,
        -- timestamps
        created_date as changed_at
    from latest
    where export_rank = 1 and not coalesce(is_deleted, false)
)

select * from renamed

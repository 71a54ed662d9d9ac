with

source as (
    select * from {{ source('raw_salesforce', 'lead_history') }}
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
        id as lead_history_id,
        lead_id,
        created_by_id,
        -- strings
        field as field_name,
        old_value,
        new_value,
        -- timestamps
        created_date as changed_at
    from latest
    where export_rank = 1
)

select * from renamed

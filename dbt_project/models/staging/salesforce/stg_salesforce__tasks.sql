with

source as (
    select * from {{ source('raw_salesforce', 'task') }}
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
        id as task_id,
        who_id,
        what_id,
        owner_id,
        -- strings
        subject,
        task_subtype,
        status as task_status,
        -- dates
        activity_date,
        -- timestamps
        created_date as created_at
    from latest
    where export_rank = 1 and not coalesce(is_deleted, false)
)

select * from renamed

with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'task',
        key='id'
    ) }}
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
    from landed
)

select * from renamed

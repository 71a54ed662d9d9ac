with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'opportunity_history',
        key='id'
    ) }}
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
    from landed
)

select * from renamed

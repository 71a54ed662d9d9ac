with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'lead_history',
        key='id'
    ) }}
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
    from landed
)

select * from renamed

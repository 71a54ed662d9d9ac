with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'campaign',
        key='id'
    ) }}
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
    from landed
)

select * from renamed

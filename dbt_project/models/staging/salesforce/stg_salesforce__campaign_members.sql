with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'campaign_member',
        key='id'
    ) }}
),

renamed as (
    select
        -- ids
        id as campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        -- strings
        status as member_status,
        -- booleans
        coalesce(has_responded, false) as has_responded,
        -- dates
        first_responded_date,
        -- timestamps
        created_date as created_at
    from landed
)

select * from renamed

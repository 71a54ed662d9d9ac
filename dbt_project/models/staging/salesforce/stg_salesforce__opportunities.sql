with

-- later exports carry later stages ("late updates"): keep the latest version
landed as (
    {{ landed_rows(
        'raw_salesforce', 'opportunity',
        key='id',
        modified_at='last_modified_date',
        optional={'contact_id': dbt.type_string()}
    ) }}
),

renamed as (
    select
        -- ids
        id as opportunity_id,
        account_id,
        campaign_id,
        owner_id,
        -- the primary contact: the person of a deal created on a contact, not from a lead
        contact_id,
        -- strings
        name as opportunity_name,
        stage_name,
        lead_source,
        {{ salesforce_column(var('salesforce_opportunity_lost_reason_field')) }}
            as lost_reason_text,
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
    from landed
)

select * from renamed

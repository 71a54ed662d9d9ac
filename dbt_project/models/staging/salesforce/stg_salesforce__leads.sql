with

-- every export repeats every lead: keep the most recently modified version
landed as (
    {{ landed_rows(
        'raw_salesforce', 'lead',
        key='id',
        modified_at='last_modified_date'
    ) }}
),

renamed as (
    select
        -- ids
        id as lead_id,
        owner_id,
        converted_account_id,
        converted_contact_id,
        converted_opportunity_id,
        -- strings
        {{ normalize_email('email') }} as email,
        trim(last_name || ' ' || first_name) as full_name,
        company as company_name,
        {{ company_key('company') }} as company_key,
        title,
        industry as industry_label,
        lead_source,
        status as lead_status,
        {{ salesforce_column(var('salesforce_lead_rejection_reason_field')) }}
            as rejection_reason,
        -- numerics
        number_of_employees,
        -- booleans
        coalesce(is_converted, false) as is_converted,
        -- dates
        converted_date,
        -- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at
    from landed
)

select * from renamed

with

source as (
    select * from {{ source('raw_salesforce', 'lead') }}
),

latest as (
    -- every export repeats every lead: keep the most recently modified version
    select
        *,
        {{ export_rank('id', 'last_modified_date') }} as export_rank
    from source
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
        rejection_reason_c as rejection_reason,
        -- numerics
        number_of_employees,
        -- booleans
        coalesce(is_converted, false) as is_converted,
        -- dates
        converted_date,
        -- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at
    from latest
    where export_rank = 1 and not coalesce(is_deleted, false)
)

select * from renamed

with

source as (
    select * from {{ source('raw_hubspot', 'contact') }}
),

latest as (
    -- every export repeats every contact: keep the most recently modified version
    select
        *,
        {{ export_rank('id', 'property_lastmodifieddate') }} as export_rank
    from source
),

renamed as (
    select
        -- ids
        id as contact_id,
        -- strings
        {{ normalize_email('property_email') }} as email,
        trim(property_lastname || ' ' || property_firstname) as full_name,
        property_company as company_name,
        {{ company_key('property_company') }} as company_key,
        property_jobtitle as title,
        property_industry as industry_label,
        property_lifecyclestage as hubspot_lifecycle_stage,
        property_hs_analytics_source as original_source,
        -- numerics
        property_hubspotscore as hubspot_score,
        -- timestamps
        property_hs_lifecyclestage_lead_date as hubspot_lead_at,
        property_hs_lifecyclestage_marketingqualifiedlead_date as hubspot_mql_at,
        property_createdate as created_at,
        property_lastmodifieddate as last_modified_at
    from latest
    where export_rank = 1
)

select * from renamed

with

-- every export repeats every contact: keep the most recently modified version
landed as (
    {{ landed_rows(
        'raw_hubspot', 'contact',
        key='id',
        modified_at='property_lastmodifieddate'
    ) }}
),

renamed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as contact_id,
        -- strings
        {{ normalize_email('property_email') }} as email,
        trim(property_lastname || ' ' || property_firstname) as full_name,
        property_company as company_name,
        {{ company_key('property_company') }} as company_key,
        property_jobtitle as title,
        property_industry as industry_label,
        property_lifecyclestage as hubspot_lifecycle_stage,
        property_hs_analytics_source as original_source,
        property_hs_calculated_merged_vids as merged_contact_ids,
        -- numerics
        property_hubspotscore as hubspot_score,
        -- timestamps
        property_hs_lifecyclestage_lead_date as hubspot_lead_at,
        property_hs_lifecyclestage_marketingqualifiedlead_date as hubspot_mql_at,
        property_createdate as created_at,
        property_lastmodifieddate as last_modified_at
    from landed
)

select * from renamed

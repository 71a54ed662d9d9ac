with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'account',
        key='id',
        modified_at='last_modified_date'
    ) }}
),

renamed as (
    select
        -- ids
        id as account_id,
        owner_id,
        -- strings
        name as account_name,
        {{ company_key('name') }} as company_key,
        industry as industry_label,
        website,
        {{ url_domain('website') }} as website_domain,
        billing_state,
        type as account_type,
        -- numerics
        number_of_employees,
        -- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at
    from landed
)

select * from renamed

with

source as (
    select * from {{ source('raw_salesforce', 'account') }}
),

latest as (
    select
        *,
        {{ export_rank('id', 'last_modified_date') }} as export_rank
    from source
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
    from latest
    where export_rank = 1 and not coalesce(is_deleted, false)
)

select * from renamed

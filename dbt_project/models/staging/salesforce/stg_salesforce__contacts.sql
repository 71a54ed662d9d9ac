with

source as (
    select * from {{ source('raw_salesforce', 'contact') }}
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
        id as contact_id,
        account_id,
        owner_id,
        -- strings
        {{ normalize_email('email') }} as email,
        trim(last_name || ' ' || first_name) as full_name,
        title,
        department,
        lead_source,
        -- timestamps
        created_date as created_at,
        last_modified_date as last_modified_at
    from latest
    where export_rank = 1 and not coalesce(is_deleted, false)
)

select * from renamed

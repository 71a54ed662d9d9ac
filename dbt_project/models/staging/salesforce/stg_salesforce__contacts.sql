with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'contact',
        key='id',
        modified_at='last_modified_date'
    ) }}
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
    from landed
)

select * from renamed

with

landed as (
    {{ landed_rows(
        'raw_target_lists', 'target_account',
        key='list_row_id, list_name'
    ) }}
),

renamed as (
    select
        -- ids
        list_row_id,
        -- strings
        list_name,
        company_name,
        {{ company_key('company_name') }} as company_key,
        industry as industry_label,
        size_band as size_band_label,
        {{ url_domain('website') }} as website_domain,
        department,
        title,
        full_name,
        {{ normalize_email('email') }} as email,
        -- numerics
        employee_count,
        -- dates
        purchased_on
    from landed
)

select * from renamed

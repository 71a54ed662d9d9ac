with

landed as (
    {{ landed_rows(
        'raw_hubspot', 'contact_form_submission',
        key='conversion_id',
        optional={'email': dbt.type_string()}
    ) }}
),

renamed as (
    select
        -- ids
        cast(conversion_id as {{ dbt.type_string() }}) as form_submission_id,
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(form_id as {{ dbt.type_string() }}) as form_id,
        -- strings
        {{ normalize_email('email') }} as email,
        page_url,
        -- timestamps
        {{ adapter.quote("timestamp") }} as submitted_at
    from landed
)

select * from renamed

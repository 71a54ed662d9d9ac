with

landed as (
    {{ landed_rows(
        'raw_hubspot', 'email_event',
        key='id, type'
    ) }}
),

renamed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as email_event_id,
        cast(email_campaign_id as {{ dbt.type_string() }}) as email_campaign_id,
        -- strings
        upper(trim(type)) as event_type,
        {{ normalize_email('recipient') }} as email,
        -- timestamps
        created as occurred_at
    from landed
)

select * from renamed

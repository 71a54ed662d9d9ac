with

landed as (
    {{ landed_rows(
        'raw_hubspot', 'email_campaign',
        key='id',
        optional={'created': dbt.type_timestamp()}
    ) }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as email_campaign_id,
        name as email_campaign_name,
        subject,
        type as email_type,
        created as created_at
    from landed
)

select * from renamed

with

landed as (
    {{ landed_rows(
        'raw_hubspot', 'form',
        key='guid'
    ) }}
),

renamed as (
    select
        cast(guid as {{ dbt.type_string() }}) as form_id,
        name as form_name,
        trim(form_type) as form_type,
        created_at
    from landed
)

select * from renamed

with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'user',
        key='id'
    ) }}
),

renamed as (
    select
        id as user_id,
        user_role_id,
        name as user_name,
        {{ normalize_email('email') }} as email,
        department as team_name,
        is_active,
        created_date as created_at
    from landed
)

select * from renamed

with

landed as (
    {{ landed_rows(
        'raw_salesforce', 'user_role',
        key='id'
    ) }}
),

renamed as (
    select
        id as user_role_id,
        parent_role_id,
        name as role_name
    from landed
)

select * from renamed

with

source as (
    select * from {{ source('raw_salesforce', 'user') }}
),

latest as (
    select
        *,
        {{ export_rank('id') }} as export_rank
    from source
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
    from latest
    where export_rank = 1
)

select * from renamed

with

source as (
    select * from {{ source('raw_salesforce', 'user_role') }}
),

latest as (
    select
        *,
        {{ export_rank('id') }} as export_rank
    from source
),

renamed as (
    select
        id as user_role_id,
        parent_role_id,
        name as role_name
    from latest
    where export_rank = 1
)

select * from renamed

with

source as (
    select * from {{ source('raw_salesforce', 'user_role') }}
),

latest as (
    select
        *,
        row_number()
            over (partition by id order by _loaded_at desc, _source_file desc)
            as export_rank
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

with

source as (
    select * from {{ source('raw_hubspot', 'form') }}
),

latest as (
    select
        *,
        row_number()
            over (partition by guid order by _loaded_at desc, _source_file desc)
            as export_rank
    from source
),

renamed as (
    select
        guid as form_id,
        name as form_name,
        trim(form_type) as form_type,
        created_at
    from latest
    where export_rank = 1
)

select * from renamed

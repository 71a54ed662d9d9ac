with

source as (
    select * from {{ source('raw_salesforce', 'lead_history') }}
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
        -- ids
        id as lead_history_id,
        lead_id,
        created_by_id,
        -- strings
        field as field_name,
        old_value,
        new_value,
        -- timestamps
        created_date as changed_at
    from latest
    where export_rank = 1
)

select * from renamed

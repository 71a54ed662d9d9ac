with

source as (
    select * from {{ source('definitions', 'touch_source_mappings') }}
),

renamed as (
    select * from source
)

select * from renamed

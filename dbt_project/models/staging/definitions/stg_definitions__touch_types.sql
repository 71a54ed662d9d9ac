with

source as (
    select * from {{ source('definitions', 'touch_types') }}
),

renamed as (
    select * from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'industries') }}
),

renamed as (
    select * from source
)

select * from renamed

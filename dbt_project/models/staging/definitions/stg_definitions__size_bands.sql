with

source as (
    select * from {{ source('definitions', 'size_bands') }}
),

renamed as (
    select * from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'rejection_reasons') }}
),

renamed as (
    select * from source
)

select * from renamed

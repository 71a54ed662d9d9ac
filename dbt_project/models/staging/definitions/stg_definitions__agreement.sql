with

source as (
    select * from {{ source('definitions', 'agreement') }}
),

renamed as (
    select * from source
)

select * from renamed

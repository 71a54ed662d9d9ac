with

source as (
    select * from {{ source('definitions', 'stages') }}
),

renamed as (
    select * from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'opportunity_stages') }}
),

renamed as (
    select * from source
)

select * from renamed

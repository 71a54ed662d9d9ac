with

source as (
    select * from {{ source('definitions', 'lost_reason_categories') }}
),

renamed as (
    select * from source
)

select * from renamed

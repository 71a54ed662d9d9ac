with

source as (
    select * from {{ source('definitions', 'outreach_email_types') }}
),

renamed as (
    select * from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'crm_lead_statuses') }}
),

renamed as (
    select * from source
)

select * from renamed

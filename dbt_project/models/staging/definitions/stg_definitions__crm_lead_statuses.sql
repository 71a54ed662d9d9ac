with

source as (
    select * from {{ source('definitions', 'crm_lead_statuses') }}
),

renamed as (
    select
        definitions_version,
        lead_status,
        stage_code
    from source
)

select * from renamed

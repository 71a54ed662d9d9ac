with

source as (
    select * from {{ source('definitions', 'rejection_reasons') }}
),

renamed as (
    select
        definitions_version,
        reason_code,
        label,
        outcome
    from source
)

select * from renamed

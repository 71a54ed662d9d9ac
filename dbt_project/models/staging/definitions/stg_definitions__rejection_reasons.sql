with

source as (
    select * from {{ source('definitions', 'rejection_reasons') }}
),

renamed as (
    select
        definitions_version,
        reason_code,
        label_en,
        label_ja,
        outcome
    from source
)

select * from renamed

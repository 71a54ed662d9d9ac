with

source as (
    select * from {{ source('definitions', 'industries') }}
),

renamed as (
    select
        definitions_version,
        industry_code,
        label_en,
        label_ja,
        is_fit
    from source
)

select * from renamed

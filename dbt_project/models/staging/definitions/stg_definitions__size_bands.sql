with

source as (
    select * from {{ source('definitions', 'size_bands') }}
),

renamed as (
    select
        definitions_version,
        size_band,
        min_employees,
        max_employees,
        label_ja,
        is_fit
    from source
)

select * from renamed

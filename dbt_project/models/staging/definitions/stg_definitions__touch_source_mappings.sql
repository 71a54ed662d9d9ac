with

source as (
    select * from {{ source('definitions', 'touch_source_mappings') }}
),

renamed as (
    select
        definitions_version,
        source_kind,
        source_value,
        touch_type
    from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'holidays') }}
),

renamed as (
    select
        definitions_version,
        holiday_on
    from source
)

select * from renamed

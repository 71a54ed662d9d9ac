with

source as (
    select * from {{ source('definitions', 'business_weekdays') }}
),

renamed as (
    select
        definitions_version,
        iso_weekday
    from source
)

select * from renamed

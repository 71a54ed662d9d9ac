with

source as (
    select * from {{ source('definitions', 'outreach_email_types') }}
),

renamed as (
    select
        definitions_version,
        email_type
    from source
)

select * from renamed

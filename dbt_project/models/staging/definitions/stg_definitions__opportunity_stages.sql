with

source as (
    select * from {{ source('definitions', 'opportunity_stages') }}
),

renamed as (
    select
        definitions_version,
        stage_name,
        stage_order,
        is_closed,
        is_won
    from source
)

select * from renamed

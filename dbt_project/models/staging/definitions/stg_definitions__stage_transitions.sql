with

source as (
    select * from {{ source('definitions', 'stage_transitions') }}
),

renamed as (
    select
        definitions_version,
        from_stage,
        to_stage,
        path
    from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'stage_transitions') }}
),

renamed as (
    select * from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'stages') }}
),

renamed as (
    select
        definitions_version,
        stage_code,
        stage_order,
        label_en,
        label_ja,
        owner_team,
        entry_rule
    from source
)

select * from renamed

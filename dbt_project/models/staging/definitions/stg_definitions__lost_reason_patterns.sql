with

source as (
    select * from {{ source('definitions', 'lost_reason_patterns') }}
),

renamed as (
    select
        definitions_version,
        category_code,
        pattern,
        -- matched against text normalized the same way
        {{ normalize_text('pattern') }} as pattern_key
    from source
)

select * from renamed

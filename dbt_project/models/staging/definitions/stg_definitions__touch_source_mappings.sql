with

source as (
    select * from {{ source('definitions', 'touch_source_mappings') }}
),

renamed as (
    select
        definitions_version,
        source_kind,
        match_on,
        source_value,
        -- form rules and patterns are compared on the normalized text
        {{ normalize_text('source_value') }} as source_value_key,
        touch_type,
        rule_order
    from source
)

select * from renamed

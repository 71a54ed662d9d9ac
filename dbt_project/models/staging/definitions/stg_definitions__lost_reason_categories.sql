with

source as (
    select * from {{ source('definitions', 'lost_reason_categories') }}
),

renamed as (
    select
        definitions_version,
        category_code,
        category_order,
        label_en,
        label_ja,
        is_unclassified
    from source
)

select * from renamed

with

source as (
    select * from {{ source('definitions', 'touch_types') }}
),

renamed as (
    select
        definitions_version,
        touch_type,
        label_en,
        label_ja,
        channel,
        intent,
        weight,
        counts_as_inquiry,
        counts_as_response,
        is_direct_to_sales,
        is_person_action
    from source
)

select * from renamed

-- One row per contact merged into another: HubSpot keeps the surviving contact and lists
-- the ids merged into it in `hs_calculated_merged_vids` ("id:epoch-ms;id:epoch-ms").
with

contacts as (
    select
        contact_id,
        merged_contact_ids
    from {{ ref('stg_hubspot__contacts') }}
    where merged_contact_ids is not null
),

merged as (
    select
        contact_id,
        {{ split_to_rows('merged_contact_ids', "';'") }} as merged_entry
    from contacts
),

renamed as (
    select
        -- ids
        trim({{ dbt.split_part('merged_entry', "':'", 1) }}) as merged_contact_id,
        contact_id
    from merged
    where trim(merged_entry) != ''
)

select * from renamed

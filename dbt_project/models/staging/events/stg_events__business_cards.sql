with

source as (
    select * from {{ source('raw_events', 'business_card') }}
),

latest as (
    -- each card export repeats the earlier cards: one row per card
    select
        *,
        {{ export_rank('card_id') }} as export_rank
    from source
),

renamed as (
    select
        -- ids
        card_id,
        -- strings
        {{ normalize_email('email') }} as email,
        full_name,
        company_name,
        {{ company_key('company_name') }} as company_key,
        department,
        title,
        exchange_place,
        card_owner,
        -- dates
        exchanged_on,
        -- timestamps
        registered_at
    from latest
    where export_rank = 1
)

select * from renamed

with

-- each card export repeats the earlier cards: one row per card
landed as (
    {{ landed_rows(
        'raw_events', 'business_card',
        key='card_id'
    ) }}
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
    from landed
)

select * from renamed

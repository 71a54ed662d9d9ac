-- The direct identifiers of each person (email, name), beside the pseudonymous person_id
-- every published table uses. Restricted: it stays in the warehouse (schema `restricted`)
-- and is never published; who may read it is in the README ("Privacy").
with

profiles as (
    select * from {{ ref('int_person_profiles') }}
),

final as (
    select
        person_id,
        email,
        full_name
    from profiles
)

select * from final

-- Each person record with the person it belongs to and how that was decided.
-- Exact (normalized) email first; a record without an email joins the one person whose
-- records share its name and company; anything else stays a person of its own.
with

records as (
    select * from {{ ref('int_person_records_unioned') }}
),

unambiguous_names as (
    select
        name_key,
        company_key,
        min(email) as email
    from records
    where email is not null and name_key is not null and company_key is not null
    group by name_key, company_key
    -- one value: min = max (the nulls are filtered above); unlike a distinct count,
    -- DuckDB can spill this aggregate to disk when the groups exceed its memory limit
    having min(email) = max(email)
),

matched as (
    select
        records.*,
        coalesce(records.email, unambiguous_names.email) as person_email,
        case
            when records.email is not null then 'exact_email'
            when unambiguous_names.email is not null then 'name_company'
            else 'unmatched'
        end as match_method
    from records
    left join unambiguous_names
        on
            records.email is null
            and records.name_key = unambiguous_names.name_key
            and records.company_key = unambiguous_names.company_key
),

final as (
    select
        {{ dbt.hash("coalesce(person_email, source_system || ':' || record_id)") }} as person_id,
        person_email,
        {{ email_domain('person_email') }} as person_email_domain,
        match_method,
        source_system,
        record_id,
        email,
        email_domain,
        name_key,
        full_name,
        company_key,
        title_key,
        title,
        industry_label,
        number_of_employees,
        recorded_at
    from matched
)

select * from final

-- One row per person: who they are, where they work, and what the MQL rule's fit and
-- seniority parts say about them.
with

records as (
    select * from {{ ref('int_person_records_matched') }}
),

accounts as (
    select * from {{ ref('int_accounts_resolved') }}
),

seniority_titles as (
    select * from {{ ref('stg_definitions__seniority_titles') }}
),

latest_record as (
    -- each attribute from the most recent record that has it: a later record without a
    -- title (a form submission, an email event, a card left blank) never erases one
    select
        *,
        row_number() over (
            partition by person_id
            order by
                case when full_name is null then 1 else 0 end,
                recorded_at desc nulls last, source_system asc, record_id asc
        ) as name_recency,
        row_number() over (
            partition by person_id
            order by
                case when title is null then 1 else 0 end,
                recorded_at desc nulls last, source_system asc, record_id asc
        ) as title_recency,
        row_number() over (
            partition by person_id
            order by
                case when company_key is null then 1 else 0 end,
                recorded_at desc nulls last, source_system asc, record_id asc
        ) as company_recency
    from records
),

persons as (
    select
        person_id,
        max(person_email) as email,
        max(person_email_domain) as email_domain,
        min(match_method) as match_method,
        count(*) as records,
        count(distinct source_system) as source_systems,
        max(case when name_recency = 1 then full_name end) as full_name,
        max(case when title_recency = 1 then title end) as title,
        max(case when title_recency = 1 then title_key end) as title_key,
        max(case when company_recency = 1 then company_key end) as company_key,
        min(recorded_at) as first_recorded_at
    from latest_record
    group by person_id
),

final as (
    select
        persons.person_id,
        persons.email,
        persons.full_name,
        persons.title,
        coalesce(seniority_titles.seniority, 'unknown') as seniority,
        coalesce(seniority_titles.seniority_points, 0) as seniority_points,
        accounts.account_id,
        accounts.industry_code,
        accounts.size_band,
        coalesce(accounts.is_fit, false) as is_fit,
        persons.match_method,
        persons.records,
        persons.source_systems,
        persons.first_recorded_at
    from persons
    left join accounts on persons.email_domain = accounts.account_domain
    left join seniority_titles on persons.title_key = seniority_titles.title_key
)

select * from final

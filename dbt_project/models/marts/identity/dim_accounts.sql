-- One row per account across CRM accounts, MA companies, target lists and cards.
with

accounts as (
    select * from {{ ref('int_accounts_resolved') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

people as (
    select
        account_id,
        count(*) as persons,
        min(first_touch_at) as first_touch_at
    from persons
    group by account_id
),

final as (
    select
        accounts.account_id,
        accounts.account_domain,
        accounts.crm_account_id,
        accounts.company_key,
        accounts.industry_code,
        accounts.industry_codes_seen,
        accounts.size_band,
        accounts.number_of_employees,
        accounts.is_fit,
        accounts.is_on_target_list,
        accounts.match_method,
        accounts.records as source_records,
        accounts.source_systems,
        coalesce(people.persons, 0) as persons,
        people.first_touch_at,
        accounts.definitions_version
    from accounts
    left join people on accounts.account_id = people.account_id
)

select * from final

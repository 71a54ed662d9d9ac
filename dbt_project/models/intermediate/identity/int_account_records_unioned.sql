-- Every record that says something about a company, keyed by its internet domain.
with

person_records as (
    select
        'person_email' as evidence,
        source_system,
        record_id,
        person_email_domain as company_domain,
        company_key,
        industry_label,
        number_of_employees,
        cast(null as {{ dbt.type_string() }}) as crm_account_id
    from {{ ref('int_person_records_matched') }}
),

crm_accounts as (
    select
        'website' as evidence,
        'crm_account' as source_system,
        account_id as record_id,
        website_domain as company_domain,
        company_key,
        industry_label,
        number_of_employees,
        account_id as crm_account_id
    from {{ ref('stg_salesforce__accounts') }}
),

target_lists as (
    select
        'website' as evidence,
        'target_list' as source_system,
        list_name || '/' || list_row_id as record_id,
        website_domain as company_domain,
        company_key,
        industry_label,
        employee_count as number_of_employees,
        cast(null as {{ dbt.type_string() }}) as crm_account_id
    from {{ ref('stg_target_lists__target_accounts') }}
),

unioned as (
    select * from person_records
    union all
    select * from crm_accounts
    union all
    select * from target_lists
)

select * from unioned

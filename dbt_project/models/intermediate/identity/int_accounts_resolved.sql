-- One account per internet domain, with firmographics agreed across its records.
-- Records without a domain join the one domain whose records share their company name.
with

records as (
    select * from {{ ref('int_account_records_unioned') }}
),

industries as (
    select * from {{ ref('stg_definitions__industries') }}
),

size_bands as (
    select * from {{ ref('stg_definitions__size_bands') }}
),

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

unambiguous_names as (
    select
        company_key,
        min(company_domain) as company_domain
    from records
    where company_domain is not null and company_key is not null
    group by company_key
    -- one value: min = max (the nulls are filtered above); unlike a distinct count,
    -- DuckDB can spill this aggregate to disk when the groups exceed its memory limit
    having min(company_domain) = max(company_domain)
),

located as (
    select
        records.*,
        coalesce(records.company_domain, unambiguous_names.company_domain) as account_domain,
        case
            when records.company_domain is not null then records.evidence || '_domain'
            when unambiguous_names.company_domain is not null then 'company_name'
        end as match_method,
        industries.industry_code
    from records
    left join unambiguous_names
        on records.company_domain is null and records.company_key = unambiguous_names.company_key
    left join industries
        on records.industry_label in (industries.label_en, industries.label_ja)
),

accounts as (
    select
        account_domain,
        -- disagreeing records are counted (industry_codes_seen), not hidden
        min(company_key) as company_key,
        max(crm_account_id) as crm_account_id,
        min(industry_code) as industry_code,
        count(distinct industry_code) as industry_codes_seen,
        max(number_of_employees) as number_of_employees,
        count(*) as records,
        count(distinct source_system) as source_systems,
        bool_or(source_system = 'target_list') as is_on_target_list,
        min(match_method) as match_method
    from located
    where account_domain is not null
    group by account_domain
),

final as (
    select
        {{ dbt.hash('accounts.account_domain') }} as account_id,
        accounts.account_domain,
        accounts.crm_account_id,
        accounts.company_key,
        accounts.industry_code,
        accounts.industry_codes_seen,
        size_bands.size_band,
        accounts.number_of_employees,
        accounts.is_on_target_list,
        accounts.records,
        accounts.source_systems,
        accounts.match_method,
        coalesce(industries.is_fit and size_bands.is_fit, false) as is_fit,
        agreement.definitions_version
    from accounts
    cross join agreement
    left join industries on accounts.industry_code = industries.industry_code
    left join size_bands
        on
            accounts.number_of_employees >= size_bands.min_employees
            and (
                size_bands.max_employees is null
                or accounts.number_of_employees <= size_bands.max_employees
            )
)

select * from final

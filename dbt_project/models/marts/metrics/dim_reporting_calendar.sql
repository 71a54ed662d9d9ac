-- One row per local date (reporting time zone) with its period at every reporting grain:
-- sales reads months and quarters, marketing half-years and fiscal years. The fiscal year
-- starts in the month the definitions say and is named after the year it starts in.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

days as (
    select
        business_date as calendar_date,
        cast(extract(year from business_date) as {{ dbt.type_int() }}) as calendar_year,
        cast(extract(month from business_date) as {{ dbt.type_int() }}) as calendar_month
    from {{ ref('int_business_days') }}
),

fiscal as (
    select
        days.calendar_date,
        days.calendar_year,
        days.calendar_month,
        agreement.definitions_version,
        -- months since the fiscal year began, 0 to 11
        mod(days.calendar_month - agreement.fiscal_year_start_month + 12, 12)
            as fiscal_month_index,
        case
            when days.calendar_month >= agreement.fiscal_year_start_month
                then days.calendar_year
            else days.calendar_year - 1
        end as fiscal_year
    from days
    cross join agreement
),

numbered as (
    select
        *,
        cast(floor({{ divide('fiscal_month_index', 3) }}) as {{ dbt.type_int() }})
        + 1 as fiscal_quarter,
        cast(floor({{ divide('fiscal_month_index', 6) }}) as {{ dbt.type_int() }})
        + 1 as fiscal_half
    from fiscal
),

final as (
    select
        calendar_date,
        calendar_year,
        calendar_month,
        fiscal_year,
        fiscal_quarter,
        fiscal_half,
        cast(calendar_year as {{ dbt.type_string() }}) || '-'
        || lpad(cast(calendar_month as {{ dbt.type_string() }}), 2, '0') as month_label,
        'FY' || cast(fiscal_year as {{ dbt.type_string() }}) || '-Q'
        || cast(fiscal_quarter as {{ dbt.type_string() }}) as quarter_label,
        'FY' || cast(fiscal_year as {{ dbt.type_string() }}) || '-H'
        || cast(fiscal_half as {{ dbt.type_string() }}) as half_year_label,
        'FY' || cast(fiscal_year as {{ dbt.type_string() }}) as fiscal_year_label,
        calendar_year * 12 + calendar_month as month_index,
        fiscal_year * 4 + fiscal_quarter as quarter_index,
        fiscal_year * 2 + fiscal_half as half_year_index,
        fiscal_year as fiscal_year_index,
        definitions_version
    from numbered
)

select * from final

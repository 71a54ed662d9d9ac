with

source as (
    select * from {{ source('definitions', 'agreement') }}
),

renamed as (
    select
        definitions_version,
        definitions_sha256,
        reporting_timezone,
        fiscal_year_start_month,
        mql_threshold,
        mql_lookback_days,
        mql_requires_prior_inquiry,
        mql_resets_after_cycle_end,
        sla_hours,
        sla_clock,
        business_day_start_minute,
        business_day_end_minute,
        max_unclassified_lost_share,
        opportunity_window_days
    from source
)

select * from renamed

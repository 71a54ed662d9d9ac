-- The business calendar of the acceptance SLA: one row per local date, whether the
-- business clock runs that day, and when it starts and stops (UTC).
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

weekdays as (
    select * from {{ ref('stg_definitions__business_weekdays') }}
),

holidays as (
    select * from {{ ref('stg_definitions__holidays') }}
),

spine as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        "cast('" ~ var('calendar_end') ~ "' as date)"
    ) }}
),

days as (
    select
        cast(date_day as date) as business_date,
        {{ iso_weekday('cast(date_day as date)') }} as iso_weekday
    from spine
),

final as (
    select
        days.business_date,
        days.iso_weekday,
        holidays.holiday_on is not null as is_holiday,
        weekdays.iso_weekday is not null and holidays.holiday_on is null as is_business_day,
        {{ dbt.dateadd(
            'minute',
            'agreement.business_day_start_minute',
            local_midnight_utc('days.business_date', 'agreement.reporting_timezone')
        ) }} as business_starts_at,
        {{ dbt.dateadd(
            'minute',
            'agreement.business_day_end_minute',
            local_midnight_utc('days.business_date', 'agreement.reporting_timezone')
        ) }} as business_ends_at,
        agreement.definitions_version
    from days
    cross join agreement
    left join weekdays on days.iso_weekday = weekdays.iso_weekday
    left join holidays on days.business_date = holidays.holiday_on
)

select * from final

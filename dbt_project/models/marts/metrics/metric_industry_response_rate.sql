-- 特定業界における反応率の変化: of the accounts an industry's target-list outreach reached
-- in a period, the share where someone responded in that period, and the change against
-- the prior period. Targeted: the account received an email of an outreach type (a send).
-- Responded: any of its people made a touch that counts as a response.
with

agreement as (
    select * from {{ ref('stg_definitions__agreement') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

industries as (
    select * from {{ ref('stg_definitions__industries') }}
),

outreach_types as (
    select * from {{ ref('stg_definitions__outreach_email_types') }}
),

account_touches as (
    select
        persons.account_id,
        touches.email_type,
        touches.is_person_action,
        touches.counts_as_response,
        cast(
            {{ to_local_time('touches.touched_at', 'agreement.reporting_timezone') }} as date
        ) as local_date
    from {{ ref('int_touchpoints_unioned') }} as touches
    cross join agreement
    inner join {{ ref('dim_persons') }} as persons on touches.person_id = persons.person_id
),

account_periods as (
    select
        account_touches.account_id,
        periods.grain,
        periods.period_index,
        periods.period_label,
        periods.period_start_date,
        periods.period_end_date,
        bool_or(
            outreach_types.email_type is not null and not account_touches.is_person_action
        ) as is_targeted,
        bool_or(account_touches.counts_as_response) as has_responded
    from account_touches
    inner join periods on account_touches.local_date = periods.calendar_date
    left join outreach_types on account_touches.email_type = outreach_types.email_type
    group by
        account_touches.account_id,
        periods.grain,
        periods.period_index,
        periods.period_label,
        periods.period_start_date,
        periods.period_end_date
),

observed_periods as (
    select distinct
        grain,
        period_index,
        period_label,
        period_start_date,
        period_end_date
    from account_periods
),

account_sizes as (
    select
        account_periods.grain,
        account_periods.period_index,
        account_periods.is_targeted,
        account_periods.has_responded,
        account_dim.industry_code,
        account_dim.size_band
    from account_periods
    inner join {{ ref('dim_accounts') }} as account_dim
        on account_periods.account_id = account_dim.account_id
),

{% set counts %}
        sum(case when is_targeted then 1 else 0 end) as targeted_accounts,
        sum(case when is_targeted and has_responded then 1 else 0 end) as responded_accounts
{% endset %}

counts as (
    -- per industry and size band, and per industry over all size bands (is_total)
    select
        grain,
        period_index,
        industry_code,
        size_band,
        false as is_total,
        {{ counts }}
    from account_sizes
    group by grain, period_index, industry_code, size_band
    union all
    select
        grain,
        period_index,
        industry_code,
        cast(null as {{ dbt.type_string() }}) as size_band,
        true as is_total,
        {{ counts }}
    from account_sizes
    group by grain, period_index, industry_code
),

grid as (
    -- every industry in every observed period, so an empty cell is a row, not a gap
    select
        observed_periods.grain,
        observed_periods.period_index,
        observed_periods.period_label,
        observed_periods.period_start_date,
        observed_periods.period_end_date,
        industries.industry_code,
        cast(null as {{ dbt.type_string() }}) as size_band,
        true as is_total,
        coalesce(counts.targeted_accounts, 0) as targeted_accounts,
        coalesce(counts.responded_accounts, 0) as responded_accounts
    from observed_periods
    cross join industries
    left join counts
        on
            observed_periods.grain = counts.grain
            and observed_periods.period_index = counts.period_index
            and industries.industry_code = counts.industry_code
            and counts.is_total
    union all
    select
        counts.grain,
        counts.period_index,
        observed_periods.period_label,
        observed_periods.period_start_date,
        observed_periods.period_end_date,
        counts.industry_code,
        counts.size_band,
        false as is_total,
        counts.targeted_accounts,
        counts.responded_accounts
    from counts
    inner join observed_periods
        on
            counts.grain = observed_periods.grain
            and counts.period_index = observed_periods.period_index
    where not counts.is_total and counts.targeted_accounts > 0
),

rated as (
    select
        *,
        case
            when targeted_accounts > 0
                then cast(responded_accounts as {{ type_double() }}) / targeted_accounts
        end as response_rate
    from grid
),

final as (
    select
        rated.grain,
        rated.period_label,
        rated.period_index,
        rated.period_start_date,
        rated.period_end_date,
        rated.industry_code,
        rated.size_band,
        rated.is_total,
        rated.targeted_accounts,
        rated.responded_accounts,
        rated.response_rate,
        case when rated.targeted_accounts = 0 then 'no targeted accounts' end
            as response_rate_null_reason,
        previous_period.response_rate as prior_response_rate,
        rated.response_rate - previous_period.response_rate as response_rate_change,
        agreement.definitions_version
    from rated
    cross join agreement
    left join rated as previous_period
        on {{ same_slice_previous_period(
            'rated', 'previous_period', ['industry_code', 'size_band']
        ) }}
)

select * from final

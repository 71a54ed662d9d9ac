-- Every lifecycle cycle with an MQL, dated by the MQL's local date (reporting time zone),
-- with the standard slices: the cohort the MQL-based metrics (acceptance, rejection
-- reasons, follow-up SLA) count. Owner is the lead's owner.
with

lifecycles as (
    select * from {{ ref('fct_lead_lifecycle') }}
),

final as (
    select
        lifecycles.lifecycle_id,
        person_slices.first_touch_channel,
        person_slices.first_touch_intent,
        person_slices.first_touch_campaign,
        person_slices.industry_code,
        person_slices.size_band,
        lifecycles.owner_id,
        lifecycles.owner_team,
        lifecycles.acceptance_status,
        -- a reason explains a rejection; an accepted lead that stalled later is accepted
        case
            when lifecycles.acceptance_status = 'rejected' then lifecycles.rejection_reason
        end as rejection_reason,
        lifecycles.hours_to_first_followup,
        lifecycles.is_followed_up_within_sla,
        lifecycles.mql_local_date
    from lifecycles
    inner join {{ ref('int_person_slices') }} as person_slices
        on lifecycles.person_id = person_slices.person_id
    where lifecycles.mql_at is not null
)

select * from final

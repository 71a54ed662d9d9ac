-- The time the data is as of: the latest event any source recorded (a touch, a CRM
-- lifecycle event, an opportunity change). A window that ends after it has not closed.
with

latest as (
    select max(touched_at) as latest_at from {{ ref('int_touchpoints_unioned') }}
    union all
    select max(event_at) as latest_at from {{ ref('int_crm_lifecycle_events') }}
    union all
    select max(last_modified_at) as latest_at from {{ ref('stg_salesforce__opportunities') }}
),

final as (
    select max(latest_at) as data_as_of from latest
)

select * from final

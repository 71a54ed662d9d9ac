-- The agreed words in both languages, one row per code of each vocabulary, so a BI tool
-- shows a stage, touch type, lost-reason category, rejection reason or industry the way
-- the definitions file names it. sort_order is the file's order where order is a rule
-- (stages: funnel order; lost-reason categories: matching order), null elsewhere.
with

stages as (
    select * from {{ ref('stg_definitions__stages') }}
),

touch_types as (
    select * from {{ ref('stg_definitions__touch_types') }}
),

lost_reason_categories as (
    select * from {{ ref('stg_definitions__lost_reason_categories') }}
),

rejection_reasons as (
    select * from {{ ref('stg_definitions__rejection_reasons') }}
),

industries as (
    select * from {{ ref('stg_definitions__industries') }}
),

unioned as (
    select
        'stage' as vocabulary,
        stage_code as code,
        stage_order as sort_order,
        label_en,
        label_ja,
        definitions_version
    from stages
    union all
    select
        'touch_type' as vocabulary,
        touch_type as code,
        cast(null as integer) as sort_order,
        label_en,
        label_ja,
        definitions_version
    from touch_types
    union all
    select
        'lost_reason_category' as vocabulary,
        category_code as code,
        category_order as sort_order,
        label_en,
        label_ja,
        definitions_version
    from lost_reason_categories
    union all
    select
        'rejection_reason' as vocabulary,
        reason_code as code,
        cast(null as integer) as sort_order,
        label_en,
        label_ja,
        definitions_version
    from rejection_reasons
    union all
    select
        'industry' as vocabulary,
        industry_code as code,
        cast(null as integer) as sort_order,
        label_en,
        label_ja,
        definitions_version
    from industries
)

select * from unioned

-- Every form with the touch type the definitions' form rules give it: the first rule (in
-- the file's order) that matches by form id, by a substring of the normalized name, or by
-- HubSpot's form type. A form no rule matches has a null touch type (reported, never
-- silently dropped: int_touch_source_coverage).
with

forms as (
    select
        form_id,
        form_name,
        form_type,
        {{ normalize_text('form_name') }} as form_name_key
    from {{ ref('stg_hubspot__forms') }}
),

rules as (
    select * from {{ ref('stg_definitions__touch_source_mappings') }}
    where source_kind = 'form'
),

matches as (
    select
        forms.form_id,
        rules.touch_type,
        rules.match_on,
        rules.source_value,
        rules.rule_order,
        row_number() over (
            partition by forms.form_id order by rules.rule_order
        ) as match_order
    from forms
    inner join rules
        on
            (rules.match_on = 'form_id' and forms.form_id = rules.source_value)
            or (rules.match_on = 'form_type' and forms.form_type = rules.source_value)
            or (
                rules.match_on = 'name_contains'
                and {{ dbt.position('rules.source_value_key', 'forms.form_name_key') }} > 0
            )
),

final as (
    select
        forms.form_id,
        forms.form_name,
        forms.form_type,
        matches.touch_type,
        matches.match_on as matched_on,
        matches.source_value as matched_value,
        matches.rule_order as matched_rule
    from forms
    left join matches
        on forms.form_id = matches.form_id and matches.match_order = 1
)

select * from final

-- The URL behind each email click. Fivetran lands it in a table of its own,
-- email_event_click (one row per click event, by the event's id); a file export carries
-- it on the event row.
{% set from_fivetran = source_mode('hubspot') == 'fivetran' %}

with

landed as (
    {% if from_fivetran -%}
        {{ landed_rows('raw_hubspot', 'email_event_click', key='id') }}
    {%- else -%}
        {{ landed_rows('raw_hubspot', 'email_event', key='id, type') }}
    {%- endif %}
),

renamed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as email_event_id,
        -- strings
        url
    from landed
    {% if not from_fivetran -%}
        where upper(trim(type)) = 'CLICK' and url is not null
    {%- endif %}
)

select * from renamed

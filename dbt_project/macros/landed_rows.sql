{#
    The rows of one source table as staging reads them, whatever landed them. The shape
    tells how it landed, so one staging model serves every mode:

    - file exports (the ingestion assets; `_loaded_at` present): every export repeats its
      records, so only the latest copy per key is kept (`export_rank`);
    - a connector (Fivetran; `_fivetran_synced`): one row per record already, or one row per
      version in history mode, where only the active version counts (`_fivetran_active`);
    - soft deletes are dropped in every mode: the source's own `is_deleted` (of the latest
      copy) and the connector's `_fivetran_deleted`;
    - TIMESTAMP WITH TIME ZONE columns (a tz-aware destination) become plain UTC timestamps,
      so local dates never shift with the session's time zone;
    - `optional` columns (name -> SQL type) a shape may not land become typed NULLs (not in
      unit tests, whose fixtures have the landed table's columns: give them there).

    source_name, table_name: the source table, as in source()
    key:         the record's key column(s), as SQL
    modified_at: the source's last-modified column, if it has one (newest copy wins)
#}
{% macro landed_rows(source_name, table_name, key, modified_at=none, optional={}) -%}
    {%- set relation = source(source_name, table_name) -%}
    {#- a unit test reads a fixture CTE: its columns are unknown here, so `*` and no optional -#}
    {%- set columns = adapter.get_columns_in_relation(relation)
        if execute and model.resource_type != 'unit_test' else [] -%}
    {%- set names = columns | map(attribute='name') | map('lower') | list -%}
    select *
    from (
        select
            {%- if columns %}
            {%- for column in columns %}
            {{ landed_column(column) }},
            {%- endfor %}
            {%- else %}
            *,
            {%- endif %}
            {%- for name, type in optional.items() if name not in names and columns %}
            cast(null as {{ type }}) as {{ adapter.quote(name) }},
            {%- endfor %}
            {% if '_loaded_at' in names -%}
                {{ export_rank(key, modified_at) }}
            {%- else -%}
                1
            {%- endif %} as export_rank
        from {{ relation }}
        {%- if '_fivetran_active' in names %}
        where coalesce(_fivetran_active, true)
        {%- endif %}
    ) as landed
    where
        export_rank = 1
        {%- if 'is_deleted' in names %}
        and not coalesce(is_deleted, false)
        {%- endif %}
        {%- if '_fivetran_deleted' in names %}
        and not coalesce(_fivetran_deleted, false)
        {%- endif %}
{%- endmacro %}

{# One column of a landed table; a tz-aware timestamp becomes a UTC timestamp. #}
{% macro landed_column(column) -%}
    {%- set quoted = adapter.quote(column.name) -%}
    {%- if 'with time zone' in column.data_type | lower or column.data_type | lower == 'timestamptz' -%}
        {{ utc_timestamp(quoted) }} as {{ quoted }}
    {%- else -%}
        {{ quoted }}
    {%- endif -%}
{%- endmacro %}

{# A tz-aware timestamp as a timestamp without zone, in UTC. #}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'common_funnel')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    ({{ expression }} at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__utc_timestamp(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}

{% macro spark__utc_timestamp(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{#
    The column a Salesforce field lands in: Fivetran and the landing contract both turn an
    API name into snake_case (`Rejection_Reason__c` -> `rejection_reason_c`).
#}
{% macro salesforce_column(api_name) -%}
    {%- set ns = namespace(out='') -%}
    {%- set name = api_name | replace('__c', '_c') | replace('__', '_') -%}
    {%- for char in name -%}
        {%- if char.isupper() and loop.index > 1 and name[loop.index0 - 1] not in '_' and not name[loop.index0 - 1].isupper() -%}
            {%- set ns.out = ns.out ~ '_' ~ char.lower() -%}
        {%- else -%}
            {%- set ns.out = ns.out ~ char.lower() -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(ns.out) }}
{%- endmacro %}

{#
    Where a connector-landed system comes from: 'files' or 'fivetran' (the settings
    COMMON_FUNNEL_SALESFORCE_SOURCE / COMMON_FUNNEL_HUBSPOT_SOURCE). Only a model that
    reads a table one shape does not have (Fivetran's email_event_click) asks.
#}
{% macro source_mode(system) -%}
    {%- set variable = 'COMMON_FUNNEL_' ~ system | upper ~ '_SOURCE' -%}
    {{ return(env_var(variable, 'files') | lower | trim) }}
{%- endmacro %}

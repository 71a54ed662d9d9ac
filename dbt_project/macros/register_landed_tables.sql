{#
    On Spark the landed tables are Parquet folders in the lake that ingestion writes
    (<COMMON_FUNNEL_SPARK_DIR>/lake/<schema>/<table>, one folder per raw and definitions
    table). dbt's session has no metastore, so each run registers them as external tables
    before any model reads them (on-run-start). Other engines hold them as real tables
    already: nothing to do.
#}
{% macro register_landed_tables() -%}
    {{ return(adapter.dispatch('register_landed_tables', 'common_funnel')()) }}
{%- endmacro %}

{% macro default__register_landed_tables() -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__register_landed_tables() -%}
    {%- if execute -%}
        {%- set lake = env_var('COMMON_FUNNEL_SPARK_DIR', '../data/spark') ~ '/lake' -%}
        {%- set schemas = [] -%}
        {#- connector-only tables (no landing file) are never in the lake -#}
        {%- for node in graph.sources.values() if not node.meta.get('connector_only') -%}
            {%- if node.schema not in schemas -%}
                {%- do run_query('create database if not exists ' ~ node.schema) -%}
                {%- do schemas.append(node.schema) -%}
            {%- endif -%}
            {%- do run_query(
                'create table if not exists ' ~ node.schema ~ '.' ~ node.identifier
                ~ " using parquet location '" ~ lake ~ '/' ~ node.schema ~ '/' ~ node.identifier ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#
    Models land in the schema their folder configures (staging, identity, lifecycle...),
    not "<target schema>_<custom schema>", so asset keys read [schema, model].
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

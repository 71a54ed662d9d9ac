{#
    Functions whose spelling differs between warehouses, dispatched per adapter so the
    project can run on DuckDB, PostgreSQL or Spark (see STACK.md, "Portability").
#}

{# Replace every match of a regular expression (the pattern is a SQL string literal). #}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'common_funnel')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{#
    Lower case of every letter (É -> é, Ö -> ö), as DuckDB and Spark do. On PostgreSQL the
    text columns compare byte by byte (`collate "C"`, orchestration/engines/postgres_engine.py),
    and lower() under the C collation changes ASCII letters only: the case mapping takes
    the database's own collation, and the result compares byte by byte again.
#}
{% macro lower_case(expression) -%}
    {{ return(adapter.dispatch('lower_case', 'common_funnel')(expression)) }}
{%- endmacro %}

{% macro default__lower_case(expression) -%}
    lower({{ expression }})
{%- endmacro %}

{% macro postgres__lower_case(expression) -%}
    (lower(({{ expression }}) collate "default") collate "C")
{%- endmacro %}

{# A cast that yields null instead of failing. dbt's safe_cast is a plain cast on DuckDB. #}
{% macro try_cast(expression, type) -%}
    {{ return(adapter.dispatch('try_cast', 'common_funnel')(expression, type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, type) -%}
    {{ dbt.safe_cast(expression, type) }}
{%- endmacro %}

{% macro duckdb__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{# A UTC timestamp seen as wall-clock time in the reporting time zone. #}
{% macro to_local_time(expression, timezone_literal) -%}
    {{ return(adapter.dispatch('to_local_time', 'common_funnel')(expression, timezone_literal)) }}
{%- endmacro %}

{% macro default__to_local_time(expression, timezone_literal) -%}
    ({{ expression }} at time zone 'UTC') at time zone {{ timezone_literal }}
{%- endmacro %}

{% macro duckdb__to_local_time(expression, timezone_literal) -%}
    timezone({{ timezone_literal }}, timezone('UTC', {{ expression }}))
{%- endmacro %}

{% macro spark__to_local_time(expression, timezone_literal) -%}
    from_utc_timestamp({{ expression }}, {{ timezone_literal }})
{%- endmacro %}

{#
    A division in DOUBLE on every engine. `x / 3600.0` is DECIMAL on Spark (precision
    differences from the others), and `7 / 2` is 3 on PostgreSQL: never divide by a
    literal; say divide(x, 3600).
#}
{% macro divide(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / cast({{ denominator }} as {{ type_double() }})
{%- endmacro %}

{# Whole seconds between two timestamps. #}
{% macro seconds_between(start, finish) -%}
    {{ dbt.datediff(start, finish, 'second') }}
{%- endmacro %}

{# Midnight of a local calendar date in a time zone, as a UTC timestamp. #}
{% macro local_midnight_utc(date_expression, timezone_expression) -%}
    {{ return(adapter.dispatch('local_midnight_utc', 'common_funnel')(date_expression, timezone_expression)) }}
{%- endmacro %}

{% macro default__local_midnight_utc(date_expression, timezone_expression) -%}
    (cast({{ date_expression }} as timestamp) at time zone {{ timezone_expression }}) at time zone 'UTC'
{%- endmacro %}

{% macro duckdb__local_midnight_utc(date_expression, timezone_expression) -%}
    timezone('UTC', timezone({{ timezone_expression }}, cast({{ date_expression }} as timestamp)))
{%- endmacro %}

{% macro spark__local_midnight_utc(date_expression, timezone_expression) -%}
    to_utc_timestamp(cast({{ date_expression }} as timestamp), {{ timezone_expression }})
{%- endmacro %}

{# ISO day of the week of a date: Monday = 1 ... Sunday = 7. #}
{% macro iso_weekday(date_expression) -%}
    {{ return(adapter.dispatch('iso_weekday', 'common_funnel')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expression) -%}
    cast(extract(isodow from {{ date_expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__iso_weekday(date_expression) -%}
    ((dayofweek({{ date_expression }}) + 5) % 7 + 1)
{%- endmacro %}

{# An 8-byte float (dbt's type_float is 4 bytes on DuckDB and Spark). #}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'common_funnel')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}

{# One row per element of a delimited string (a select-list expression). #}
{% macro split_to_rows(expression, delimiter_literal) -%}
    {{ return(adapter.dispatch('split_to_rows', 'common_funnel')(expression, delimiter_literal)) }}
{%- endmacro %}

{% macro default__split_to_rows(expression, delimiter_literal) -%}
    unnest(string_to_array({{ expression }}, {{ delimiter_literal }}))
{%- endmacro %}

{% macro duckdb__split_to_rows(expression, delimiter_literal) -%}
    unnest(string_split({{ expression }}, {{ delimiter_literal }}))
{%- endmacro %}

{% macro spark__split_to_rows(expression, delimiter_literal) -%}
    explode(split({{ expression }}, {{ delimiter_literal }}))
{%- endmacro %}

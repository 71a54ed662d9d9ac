{#
    Text normalization shared by every model that compares names, emails or free text.

    fold_width: full-width ASCII (U+FF01-U+FF5E) and the ideographic space become their
    half-width forms, which is what NFKC does to the characters people actually type in
    Japanese forms. translate() exists on DuckDB, PostgreSQL and Spark alike.
#}
{% macro fold_width(expression) -%}
    {#- The backslash is folded by its own replace(): Spark reads a backslash in a string
        literal as an escape, which would shift every later character of the mapping.
        chr(92) is a backslash on every engine. -#}
    replace(
        translate(
            {{ expression }},
            '　！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～',
            ' !"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~'
        ),
        '＼',
        chr(92)
    )
{%- endmacro %}

{# Lowercase, width-folded, trimmed; empty becomes null. #}
{% macro normalize_text(expression) -%}
    nullif(trim({{ lower_case(fold_width(expression)) }}), '')
{%- endmacro %}

{# An email address as the identity key: normalized, with inner blanks removed. #}
{% macro normalize_email(expression) -%}
    nullif(replace({{ normalize_text(expression) }}, ' ', ''), '')
{%- endmacro %}

{# The domain of a normalized email address. #}
{% macro email_domain(email_expression) -%}
    nullif({{ dbt.split_part(email_expression, "'@'", 2) }}, '')
{%- endmacro %}

{# The host of a website URL, without scheme, "www." and path. #}
{% macro url_domain(expression) -%}
    nullif(
        {{ dbt.split_part(
            regexp_replace_all(normalize_text(expression), "'^[a-z]+://(www[.])?'", "''"),
            "'/'",
            1
        ) }},
        ''
    )
{%- endmacro %}

{#
    A company name without legal-form words: 株式会社, (株), ㈱, Inc., Co., Ltd., blanks
    and punctuation, so "(株)さくら工業", "さくら工業株式会社" and "株式会社 さくら工業" meet.
#}
{% macro company_key(expression) -%}
    {%- set without_legal_form = regexp_replace_all(
        "replace(" ~ normalize_text(expression) ~ ", '㈱', '')",
        "'株式会社|[(]株[)]|,? ?inc[.]?$|,? ?co[.]?,? ?ltd[.]?$'",
        "''"
    ) -%}
    nullif({{ regexp_replace_all(without_legal_form, "'[ ,.]'", "''") }}, '')
{%- endmacro %}

{# A person's name without blanks (full- or half-width) for name + company matching. #}
{% macro name_key(expression) -%}
    nullif(replace({{ normalize_text(expression) }}, ' ', ''), '')
{%- endmacro %}

"""The next model stays portable: constructs known to differ between DuckDB, PostgreSQL
and Spark may appear only inside a dispatched macro (`<adapter>__name`, see
dbt_project/macros/portability.sql). Static: it reads the SQL, runs nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from orchestration.settings import PROJECT_ROOT

DBT = PROJECT_ROOT / "dbt_project"
ADAPTERS = ("default", "duckdb", "postgres", "spark")

# (what, pattern, why): matched on lowercase SQL without comments
FORBIDDEN = [
    ("qualify", r"\bqualify\b", "no QUALIFY on PostgreSQL"),
    ("group by all", r"\bgroup\s+by\s+all\b", "no GROUP BY ALL on PostgreSQL"),
    ("median()", r"\bmedian\s*\(", "no median() on PostgreSQL: percentile_cont(0.5)"),
    ("count_if()", r"\bcount_if\s*\(", "no count_if() on PostgreSQL: count(*) filter (where)"),
    ("a :: cast", r"::", "no :: casts on Spark: cast(x as type)"),
    ("string_agg()", r"\bstring_agg\s*\(", "ordered string_agg differs (Spark has none)"),
    (
        "ordered array_agg()",
        r"\barray_agg\s*\([^)]*\border\s+by\b",
        "no ordered array_agg on Spark",
    ),
    ("listagg()", r"\blistagg\s*\(", "listagg drops its order on Spark"),
    ("a backslash", r"\\", "Spark reads a backslash in a string literal as an escape"),
    (
        "a division by a decimal literal",
        r"/\s*\(?\s*[0-9]+\.[0-9]+|[0-9]+\.[0-9]+\s*\)?\s*/",
        "DECIMAL on Spark, DOUBLE elsewhere: divide(x, n)",
    ),
    (
        "regexp_replace()",
        r"\bregexp_replace\s*\(",
        "replaces all on Spark, the first match elsewhere: regexp_replace_all()",
    ),
    ("generate_series()", r"\bgenerate_series\s*\(", "no generate_series on Spark"),
    (
        "desc without nulls",
        r"\bdesc\b(?!\s+nulls\b)",
        "NULLs sort first on PostgreSQL, last on DuckDB: say where",
    ),
    ("to_days()", r"\bto_days\s*\(", "DuckDB only: n * interval '1' day"),
    (
        "lower()",
        r"(?<![.\w])lower\s*\(",  # not Jinja's str.lower()
        "ASCII only under PostgreSQL's C collation (the shipped text's): lower_case()",
    ),
]


def without_comments(sql: str) -> str:
    sql = re.sub(r"\{#.*?#\}", " ", sql, flags=re.S)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    return re.sub(r"--[^\n]*", " ", sql)


def without_dispatched_macros(sql: str) -> str:
    """Macro files: the bodies of `<adapter>__name` macros are where differences live."""
    adapters = "|".join(ADAPTERS)
    return re.sub(
        rf"\{{%-?\s*macro\s+(?:{adapters})__\w+.*?\{{%-?\s*endmacro\s*-?%\}}",
        " ",
        sql,
        flags=re.S,
    )


def findings(sql: str, macro_file: bool = False) -> list[str]:
    text = without_comments(sql).lower()
    if macro_file:
        text = without_dispatched_macros(text)
    # a backslash inside a Jinja tag is Python's escape, not SQL's
    sql_only = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", lambda m: "\n" * m[0].count("\n"), text, flags=re.S)
    found = []
    for what, pattern, why in FORBIDDEN:
        for match in re.finditer(pattern, sql_only if what == "a backslash" else text):
            line = (sql_only if what == "a backslash" else text).count("\n", 0, match.start()) + 1
            found.append(f"line {line}: {what} ({why})")
    return found


def sql_files() -> list[tuple[Path, bool]]:
    models = sorted((DBT / "models").rglob("*.sql"))
    tests = sorted((DBT / "tests").rglob("*.sql"))
    macros = sorted((DBT / "macros").rglob("*.sql"))
    return [(p, False) for p in models + tests] + [(p, True) for p in macros]


@pytest.mark.parametrize(
    ("path", "macro_file"), sql_files(), ids=lambda v: v.name if isinstance(v, Path) else ""
)
def test_no_engine_specific_sql_outside_a_dispatched_macro(path: Path, macro_file: bool):
    found = findings(path.read_text(encoding="utf-8"), macro_file)
    assert not found, f"{path.relative_to(PROJECT_ROOT)}:\n  " + "\n  ".join(found)


def test_unit_test_names_fit_postgres_identifiers():
    """dbt-postgres makes a relation named after each unit test: 63 characters at most."""
    long = []
    for path in (DBT / "models").rglob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        long += [
            f"{path.name}: {test['name']} ({len(test['name'])})"
            for test in document.get("unit_tests", [])
            if len(test["name"]) > 63
        ]
    assert not long, long


@pytest.mark.parametrize(("what", "pattern", "why"), FORBIDDEN, ids=[f[0] for f in FORBIDDEN])
def test_the_guard_sees_each_construct(what: str, pattern: str, why: str):
    examples = {
        "qualify": "select * from t qualify row_number() over () = 1",
        "group by all": "select a, count(*) from t group by all",
        "median()": "select median(x) from t",
        "count_if()": "select count_if(x > 1) from t",
        "a :: cast": "select x::int from t",
        "string_agg()": "select string_agg(x, ',' order by x) from t",
        "ordered array_agg()": "select array_agg(x order by y) from t",
        "listagg()": "select listagg(x, ',') from t",
        "a backslash": "select translate(x, 'a', '\\\\') from t",
        "a division by a decimal literal": "select seconds / 3600.0 from t",
        "regexp_replace()": "select regexp_replace(x, 'a', 'b') from t",
        "generate_series()": "select * from generate_series(1, 3)",
        "desc without nulls": "select row_number() over (order by x desc) from t",
        "to_days()": "select now() - to_days(3)",
        "lower()": "select lower(name) from t",
    }
    assert findings(examples[what]), f"{what} not seen"
    # and the same inside a dispatched macro is allowed
    wrapped = "{% macro spark__x() %}" + examples[what] + "{% endmacro %}"
    assert not findings(wrapped, macro_file=True)


def test_the_guard_passes_portable_sql():
    portable = (
        "select cast(x as int), {{ divide('a', 3600) }}, percentile_cont(0.5) within group "
        "(order by x), count(*) filter (where y) from t order by x desc nulls last"
    )
    assert not findings(portable)

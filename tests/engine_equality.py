"""Row-for-row comparison of the published tables of two engines.

Each side is read as plain Python values (small samples only) and normalized: numbers of
any type as numbers (PostgreSQL's numeric and DuckDB's HUGEINT alike), timestamps as naive
UTC. Rows are matched after sorting both sides by every column (doubles rounded for the
sort only); doubles then must agree within 1e-9 relative, everything else exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

REL_TOL = 1e-9


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def normalize(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    key = []
    for value in row:
        if value is None:
            key.append((0, ""))
        elif isinstance(value, float):
            key.append((1, round(value, 6)))
        elif isinstance(value, bool | int):
            key.append((1, float(value)))
        else:
            key.append((2, str(value)))
    return tuple(key)


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    normalized = [tuple(normalize(v) for v in row) for row in rows]
    return Table(list(columns), sorted(normalized, key=_sort_key))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)
    return bool(a == b)


def differences(name: str, expected: Table, actual: Table, limit: int = 5) -> list[str]:
    """Every difference, in words (the first `limit` differing rows of a table)."""
    if expected.columns != actual.columns:
        return [f"{name}: columns {actual.columns} != {expected.columns}"]
    if len(expected.rows) != len(actual.rows):
        return [f"{name}: {len(actual.rows)} rows, expected {len(expected.rows)}"]
    found = []
    for want, got in zip(expected.rows, actual.rows, strict=True):
        if not all(_same(a, b) for a, b in zip(want, got, strict=True)):
            found.append(f"{name}: {got} != expected {want}")
            if len(found) >= limit:
                break
    return found


def duckdb_tables(path: Path, schema: str = "main") -> dict[str, Table]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return _from_duckdb(con, schema)
    finally:
        con.close()


def _from_duckdb(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, Table]:
    con.execute("set TimeZone = 'UTC'")
    names = [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = ? "
            "and table_name <> 'publish_log' order by 1",
            [schema],
        ).fetchall()
    ]
    out = {}
    for name in names:
        cursor = con.execute(f'select * from {schema}."{name}"')
        out[name] = table([d[0] for d in cursor.description], cursor.fetchall())
    return out


def parquet_tables(version: Path) -> dict[str, Table]:
    """A Spark publish version: one Parquet folder per table."""
    con = duckdb.connect()
    try:
        for folder in sorted(p for p in version.iterdir() if p.is_dir()):
            if folder.name == "publish_log":
                continue
            con.execute(
                f"create view \"{folder.name}\" as select * from read_parquet('{folder}/*.parquet')"
            )
        names = [
            r[0]
            for r in con.execute(
                "select view_name from duckdb_views() where not internal order by 1"
            ).fetchall()
        ]
        out = {}
        con.execute("set TimeZone = 'UTC'")
        for name in names:
            cursor = con.execute(f'select * from "{name}"')
            out[name] = table([d[0] for d in cursor.description], cursor.fetchall())
        return out
    finally:
        con.close()


def postgres_tables(connect: Callable[[], Any], schema: str = "published") -> dict[str, Table]:
    con = connect()
    try:
        with con.cursor() as cursor:
            cursor.execute(
                "select table_name from information_schema.tables where table_schema = %s "
                "and table_name <> 'publish_log' order by 1",
                [schema],
            )
            names = [r[0] for r in cursor.fetchall()]
            out = {}
            for name in names:
                cursor.execute(f"select * from {schema}.{name}")
                out[name] = table([d.name for d in cursor.description], cursor.fetchall())
        return out
    finally:
        con.close()


def compare(expected: dict[str, Table], actual: dict[str, Table]) -> list[str]:
    problems = []
    if sorted(expected) != sorted(actual):
        problems.append(f"tables {sorted(actual)} != expected {sorted(expected)}")
    for name in sorted(set(expected) & set(actual)):
        problems += differences(name, expected[name], actual[name])
    return problems

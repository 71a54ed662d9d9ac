"""Great Expectations on DuckDB: the one place that works around GE's DuckDB bug and
makes GE's table reflection affordable.

As shipped (GE 1.24), every expectation on a DuckDB SQL datasource fails with an
IndexError: GE returns the connection to its pool before fetching the result, and
duckdb-engine drops the result set then (great_expectations #10738, #11579). GE keeps one
connection open for the dialects in `_PERSISTED_CONNECTION_DIALECTS` (SQLite, SQL Server,
...); adding DuckDB there fixes it. `apply_fix()` does that once, and fails loudly if GE
no longer has the hook, so an upgrade cannot silently turn every check red.
`tests/test_quality_suites.py` proves the fix is still needed and still works.

Reflection: before each validation GE reflects the table's columns (and primary key)
through SQLAlchemy, which duckdb-engine answers with PostgreSQL's catalog queries against
DuckDB's emulated `pg_catalog`: about 30 ms a table whatever its size (the primary key
query even fails on DuckDB, which GE ignores). `reflect_by_schema()` answers every table of
a schema from one such query (SQLAlchemy's own `get_multi_columns`, so the columns and
types are exactly what the per-table query returns) and the primary key from
`duckdb_constraints()`: a few catalog queries per schema instead of two per table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DIALECT = "duckdb"


class _DuckDBDialect(str):
    """The dialect name as GE compares it: equal to "duckdb", with a `.value`."""

    @property
    def value(self) -> str:
        return str(self)


def apply_fix() -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    dialects = getattr(engine, "_PERSISTED_CONNECTION_DIALECTS", None)
    if not isinstance(dialects, tuple):
        raise RuntimeError(
            "great_expectations changed: sqlalchemy_execution_engine has no "
            "_PERSISTED_CONNECTION_DIALECTS tuple any more; see orchestration/quality/"
            "ge_duckdb.py and check whether GE validates DuckDB correctly without the fix"
        )
    if DIALECT not in dialects:
        engine._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DuckDBDialect(DIALECT))


def is_applied() -> bool:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    return DIALECT in engine._PERSISTED_CONNECTION_DIALECTS


def remove_fix() -> None:
    """Only for the test that shows the fix is still needed."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    engine._PERSISTED_CONNECTION_DIALECTS = tuple(
        d for d in engine._PERSISTED_CONNECTION_DIALECTS if d != DIALECT
    )


def reflect_by_schema(dialect: Any) -> None:
    """Make this engine's dialect (one instance per engine) reflect a table's columns from
    one query per schema, cached for the engine's life, and its primary key from DuckDB's
    own catalog."""
    from sqlalchemy.engine import ObjectKind, ObjectScope

    per_table = dialect.get_columns
    schemas: dict[str | None, dict[tuple[str | None, str], Any]] = {}

    def get_columns(connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        if schema not in schemas:
            schemas[schema] = dict(
                dialect.get_multi_columns(
                    connection,
                    schema=schema,
                    filter_names=None,
                    scope=ObjectScope.ANY,
                    kind=ObjectKind.ANY,
                )
            )
        found = schemas[schema].get((schema, table_name))
        if found is None:  # not there when the schema was read: ask (and raise) as before
            return per_table(connection, table_name, schema=schema, **kw)
        return found

    def get_pk_constraint(
        connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        rows = connection.exec_driver_sql(
            "select constraint_column_names from duckdb_constraints()"
            " where schema_name = ? and table_name = ? and constraint_type = 'PRIMARY KEY'",
            (schema or "main", table_name),
        ).fetchall()
        return {"constrained_columns": list(rows[0][0]) if rows else [], "name": None}

    dialect.get_columns = get_columns
    dialect.get_pk_constraint = get_pk_constraint


@contextmanager
def duckdb_datasource(context: Any, warehouse: Path, name: str = "warehouse") -> Iterator[Any]:
    """A read-only GE SQL datasource on the warehouse; its connections are closed after."""
    datasource = context.data_sources.add_sql(
        name=name,
        connection_string=f"duckdb:///{warehouse}",
        kwargs={"connect_args": {"read_only": True}},
    )
    reflect_by_schema(datasource.get_execution_engine().engine.dialect)
    try:
        yield datasource
    finally:
        close(datasource)


def close(datasource: Any) -> None:
    """Close GE's persisted connection and dispose of the engine (STACK.md trap 2), so
    the next writer never meets a lock."""
    engine = datasource.get_execution_engine()
    connection = getattr(engine, "_connection", None)
    if connection is not None:
        connection.close()
    engine.close()
    datasource.get_engine().dispose()

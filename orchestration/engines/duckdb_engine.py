"""DuckDB, embedded: the warehouse file is the engine; publishing swaps a separate file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb

from orchestration.engines.base import (
    Engine,
    GeBatches,
    PublishedVersion,
    PublishRequest,
    Session,
)


class DuckDBSession:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()


class DuckDBEngine(Engine):
    name = "duckdb"

    def ship(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        """The ingestion store is the warehouse: nothing to move."""

    @contextmanager
    def session(self) -> Iterator[Session]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            yield DuckDBSession(con)
        finally:
            con.close()

    def numeric_columns(self, session: Session, schema: str, table: str) -> list[str]:
        rows = session.query(
            "select column_name from duckdb_columns() where schema_name = "
            f"'{schema}' and table_name = '{table}' and data_type in ('DOUBLE', 'FLOAT') "
            "order by column_index"
        )
        return [r[0] for r in rows]

    def non_finite(self, column: str) -> str:
        return f'not isfinite("{column}")'

    @contextmanager
    def ge_batches(self, context: Any) -> Iterator[GeBatches]:
        from orchestration.quality.ge_duckdb import apply_fix, duckdb_datasource

        apply_fix()
        with duckdb_datasource(context, self.warehouse) as datasource:

            def batch(schema: str, table: str) -> tuple[Any, dict[str, Any]]:
                asset = datasource.add_table_asset(
                    name=f"{schema}.{table}", table_name=table, schema_name=schema
                )
                return asset.add_batch_definition_whole_table("whole_table"), {}

            yield batch

    def local_copy(self, session: Session, tables: Sequence[str]) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.execute("attach ? as warehouse (read_only)", [str(self.warehouse)])
        for qualified in tables:
            schema, table = qualified.split(".", 1)
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as from warehouse.{schema}.{table}")
        con.execute("detach warehouse")
        return con

    def publish(self, request: PublishRequest) -> PublishedVersion:
        from orchestration.publish.store import publish

        return publish(
            self.warehouse,
            self.published,
            request.tables,
            run_id=request.run_id,
            definitions_version=request.definitions_version,
            checks_passed=request.checks_passed,
            checks_failed=request.checks_failed,
            accepted_changes=request.accepted_changes,
            before_swap=request.confirm,
        )

    def read_log(self) -> list[tuple[Any, ...]]:
        from orchestration.publish.store import read_log

        return read_log(self.published)

    def published_location(self) -> str:
        return f"the DuckDB file {self.published} (open it read-only)"

"""What every engine provides to the pipeline (README: "Running on PostgreSQL / Spark")."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

LOG_TABLE = "publish_log"
# publish_log's columns, in order, on every engine (read_log returns tuples in this order)
LOG_COLUMNS = (
    "publish_id",
    "published_at",
    "dagster_run_id",
    "definitions_version",
    "checks_passed",
    "checks_failed",
    "row_counts",
    "accepted_changes",
)


@dataclass(frozen=True)
class PublishedVersion:
    publish_id: str
    published_at: datetime
    location: str
    row_counts: dict[str, int]


@dataclass(frozen=True)
class PublishRequest:
    """What one publish copies (published name -> `schema.table` built by dbt) and logs."""

    tables: Mapping[str, str]
    run_id: str | None
    definitions_version: str | None
    checks_passed: int | None = None
    checks_failed: int | None = None
    accepted_changes: Sequence[Mapping[str, object]] = ()
    # called once the new version is written, right before readers can see it: raising
    # abandons the publish (the previous version stays). The publish step draws its charts
    # meanwhile and waits for them here.
    before_swap: Callable[[], object] | None = None

    def confirm(self) -> None:
        """Every engine calls this between writing the new version and swapping it in."""
        if self.before_swap is not None:
            self.before_swap()


def log_row(
    request: PublishRequest, publish_id: str, published_at: datetime, row_counts: dict[str, int]
) -> tuple[Any, ...]:
    """One publish_log row, in LOG_COLUMNS order (JSON as text), for every engine."""
    return (
        publish_id,
        published_at,
        request.run_id,
        request.definitions_version,
        request.checks_passed,
        request.checks_failed,
        json.dumps(row_counts, sort_keys=True),
        json.dumps(list(request.accepted_changes), ensure_ascii=False)
        if request.accepted_changes
        else None,
    )


Relation = tuple[str, str]  # (schema, table)


class Session(Protocol):
    """A read connection to the engine, for the checks: SQL in, rows out."""

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...


class Engine(ABC):
    """One engine. `warehouse` is the DuckDB file of the ingestion store (the warehouse
    itself on DuckDB); `published` the published DuckDB file (DuckDB only)."""

    name: str = ""

    def __init__(self, warehouse: Path, published: Path) -> None:
        self.warehouse = warehouse
        self.published = published

    # --- inputs -----------------------------------------------------------------------
    @abstractmethod
    def ship(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        """Replace each `schema.table` in the engine with the ingestion store's copy (read
        through `con`), each table all or nothing."""

    # --- dbt --------------------------------------------------------------------------
    def dbt_env(self) -> dict[str, str]:
        """Variables dbt's profile reads for this engine (besides the source modes)."""
        return {"COMMON_FUNNEL_ENGINE": self.name}

    def before_dbt(self) -> None:  # noqa: B027 (most engines need nothing)
        """Anything the engine needs before `dbt build`."""

    # --- checks -----------------------------------------------------------------------
    @abstractmethod
    def session(self) -> AbstractContextManager[Session]: ...

    @abstractmethod
    def numeric_columns(self, session: Session, schema: str, table: str) -> list[str]:
        """The floating-point columns of a table built by dbt."""

    def columns(
        self, session: Session, relations: Collection[Relation]
    ) -> dict[Relation, list[tuple[str, str]]]:
        """(name, type) of every column of these tables and views, in order: one query."""
        if not relations:
            return {}
        schemas = ", ".join(sorted({f"'{schema}'" for schema, _ in relations}))
        rows = session.query(
            "select table_schema, table_name, column_name, data_type"
            f" from information_schema.columns where table_schema in ({schemas})"
            " order by table_schema, table_name, ordinal_position"
        )
        found: dict[Relation, list[tuple[str, str]]] = {}
        for schema, table, column, kind in rows:
            if (schema, table) in relations:
                found.setdefault((schema, table), []).append((column, str(kind)))
        return found

    def row_counts(self, session: Session, relations: Sequence[Relation]) -> dict[Relation, int]:
        """Rows of each table: one `union all` query."""
        if not relations:
            return {}
        sql = " union all ".join(
            f"select {i} as position, count(*) as row_count from {schema}.{table}"
            for i, (schema, table) in enumerate(relations)
        )
        return {relations[int(i)]: int(n) for i, n in session.query(sql)}

    @abstractmethod
    def non_finite(self, column: str) -> str:
        """SQL condition: the column holds NaN or an infinity."""

    @abstractmethod
    def ge_batches(self, context: Any) -> AbstractContextManager[GeBatches]:
        """Great Expectations batches of the engine's tables, read where they are."""

    def local_copy(self, session: Session, tables: Sequence[str]) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB holding `schema.table` copies of small tables (the metric
        tables the charts draw), for the DuckDB-only chart SQL."""
        con = duckdb.connect()
        for qualified in tables:
            schema, table = qualified.split(".", 1)
            frame = self.fetch_frame(session, qualified)  # noqa: F841 (read by DuckDB)
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as select * from frame")
        return con

    def fetch_frame(self, session: Session, qualified: str) -> Any:
        raise NotImplementedError

    # --- publish ----------------------------------------------------------------------
    @abstractmethod
    def publish(self, request: PublishRequest) -> PublishedVersion: ...

    @abstractmethod
    def read_log(self) -> list[tuple[Any, ...]]:
        """The publish log, oldest first; columns as LOG_COLUMNS, published_at aware,
        row_counts JSON text. Empty when nothing was ever published."""

    @abstractmethod
    def published_location(self) -> str:
        """Where analysts read the published tables, in words."""


class GeBatches(Protocol):
    """Per `schema.table`: a GE batch definition and the batch parameters to run it."""

    def __call__(self, schema: str, table: str) -> tuple[Any, dict[str, Any]]: ...

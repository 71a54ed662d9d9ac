"""PostgreSQL: raw tables arrive by COPY; the publish swaps a schema in one transaction.

Connection settings are libpq's own environment variables (PGHOST, PGPORT, PGUSER,
PGPASSWORD or a ~/.pgpass file, PGDATABASE), read by psycopg2 here, by dbt's profile and
by psql alike; nothing about the server is written in the repository.

Write-audit-publish on the server: the publish copies the marts dbt built (and the
checks passed) into a fresh schema `published_next`, audits its row counts against the
marts, then in one transaction renames `published` away, renames `published_next` to
`published` and drops the old one. PostgreSQL's DDL is transactional, so a reader sees the
old schema or the new one, never a mix; a failure before the commit leaves `published`
as it was.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import duckdb

from orchestration.engines.base import (
    LOG_COLUMNS,
    LOG_TABLE,
    Engine,
    GeBatches,
    PublishedVersion,
    PublishRequest,
    Session,
    log_row,
)

PUBLISHED = "published"
NEXT = "published_next"
OLD = "published_old"

# DuckDB type of a landed column -> PostgreSQL type; lists travel as JSON
_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "JSON": "jsonb",
}

_LOG_DDL = f"""
create table {{schema}}.{LOG_TABLE} (
    publish_id text not null primary key,
    published_at timestamptz not null,
    dagster_run_id text,
    definitions_version text,
    checks_passed integer,
    checks_failed integer,
    row_counts jsonb not null,
    accepted_changes jsonb
)
"""


def connect(**overrides: Any) -> Any:
    """A connection from libpq's environment (PGHOST, PGPORT, PGUSER, PGDATABASE...)."""
    import psycopg2

    return psycopg2.connect(
        "", application_name="common-funnel", dbname=os.environ.get("PGDATABASE", "common_funnel"),
        **overrides,
    )  # fmt: skip


# Text compares byte by byte, as on DuckDB and Spark: a database created with a linguistic
# collation (en-US: 'a' before 'B') would otherwise give min/max and order by other
# answers. Set on the shipped tables' text columns; dbt's models inherit it.
BYTE_ORDER = "C"


def column_definition(name: str, duckdb_type: str) -> str:
    pg = pg_type(duckdb_type)
    return f'"{name}" {pg} collate "{BYTE_ORDER}"' if pg == "text" else f'"{name}" {pg}'


def pg_type(duckdb_type: str) -> str:
    if duckdb_type.endswith("[]"):
        return "jsonb"
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    if duckdb_type not in _TYPES:
        raise TypeError(f"no PostgreSQL type for DuckDB's {duckdb_type}")
    return _TYPES[duckdb_type]


class PostgresSession:
    def __init__(self, con: Any) -> None:
        self.con = con

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.con.cursor() as cursor:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]


class PostgresEngine(Engine):
    name = "postgres"

    # --- inputs -----------------------------------------------------------------------
    def ship(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        """COPY each table, in one transaction per table: readers (and a failed run) see
        the previous rows until the commit."""
        scratch = self.warehouse.parent / ".ingest_scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        pg = connect()
        try:
            for qualified in tables:
                with tempfile.TemporaryDirectory(dir=scratch) as folder:
                    self._ship_one(con, pg, qualified, os.path.join(folder, "rows.csv"))
        finally:
            pg.close()

    def _ship_one(self, con: duckdb.DuckDBPyConnection, pg: Any, qualified: str, csv: str) -> None:
        schema, table = qualified.split(".", 1)
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
        select = ", ".join(
            f'to_json("{name}")::varchar as "{name}"' if kind.endswith("[]") else f'"{name}"'
            for name, kind in columns
        )
        # NULL is an empty unquoted field, an empty string a quoted one: COPY reads both back
        con.execute(
            f"copy (select {select} from {schema}.{table}) to '{csv}' "
            "(format csv, header true, timestampformat '%Y-%m-%d %H:%M:%S.%f')"
        )
        definition = ", ".join(column_definition(name, kind) for name, kind in columns)
        names = ", ".join(f'"{name}"' for name, _ in columns)
        with pg, pg.cursor() as cursor:  # one transaction: commit on success, else rollback
            cursor.execute(f"create schema if not exists {schema}")
            cursor.execute(
                "select column_name, data_type, collation_name from information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                [schema, table],
            )
            existing = [tuple(row) for row in cursor.fetchall()]
            wanted = [
                (name, _information_type(pg), BYTE_ORDER if pg == "text" else None)
                for name, pg in ((name, pg_type(kind)) for name, kind in columns)
            ]
            if existing == wanted:
                cursor.execute(f"truncate {schema}.{table}")
            else:  # new or reshaped: dbt's staging views over it are rebuilt by dbt
                cursor.execute(f"drop table if exists {schema}.{table} cascade")
                cursor.execute(f"create table {schema}.{table} ({definition})")
            with open(csv, encoding="utf-8") as rows:
                cursor.copy_expert(
                    f"copy {schema}.{table} ({names}) from stdin with (format csv, header true)",
                    rows,
                )

    # --- checks -----------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        con = connect()
        con.set_session(readonly=True, autocommit=True)
        try:
            yield PostgresSession(con)
        finally:
            con.close()

    def numeric_columns(self, session: Session, schema: str, table: str) -> list[str]:
        rows = session.query(
            "select column_name from information_schema.columns where table_schema = "
            f"'{schema}' and table_name = '{table}' and data_type in ('double precision', "
            "'real', 'numeric') order by ordinal_position"
        )
        return [r[0] for r in rows]

    def non_finite(self, column: str) -> str:
        return f"\"{column}\" in ('NaN', 'Infinity', '-Infinity')"

    @contextmanager
    def ge_batches(self, context: Any) -> Iterator[GeBatches]:
        datasource = context.data_sources.add_postgres(
            name="warehouse", connection_string=sqlalchemy_url()
        )
        try:

            def batch(schema: str, table: str) -> tuple[Any, dict[str, Any]]:
                asset = datasource.add_table_asset(
                    name=f"{schema}.{table}", table_name=table, schema_name=schema
                )
                return asset.add_batch_definition_whole_table("whole_table"), {}

            yield batch
        finally:
            datasource.get_engine().dispose()

    def fetch_frame(self, session: Session, qualified: str) -> Any:
        import pandas as pd

        assert isinstance(session, PostgresSession)
        with session.con.cursor() as cursor:
            cursor.execute(f"select * from {qualified}")
            names = [d.name for d in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=names)

    # --- publish ----------------------------------------------------------------------
    def publish(self, request: PublishRequest) -> PublishedVersion:
        publish_id = uuid.uuid4().hex
        published_at = datetime.now(UTC)
        pg = connect()
        try:
            with pg, pg.cursor() as cursor:  # write and audit the next version
                cursor.execute(f"drop schema if exists {NEXT} cascade")
                cursor.execute(f"create schema {NEXT}")
                row_counts: dict[str, int] = {}
                for name, source in sorted(request.tables.items()):
                    cursor.execute(f"create table {NEXT}.{name} as select * from {source}")
                    copied = cursor.rowcount
                    cursor.execute(f"select count(*) from {source}")
                    expected = cursor.fetchone()[0]
                    if copied != expected:
                        raise RuntimeError(
                            f"publish audit: {NEXT}.{name} has {copied} rows, {source} {expected}"
                        )
                    row_counts[name] = int(copied)
                cursor.execute(_LOG_DDL.format(schema=NEXT))
                if self._has_log(cursor):
                    cursor.execute(
                        f"insert into {NEXT}.{LOG_TABLE} ({', '.join(LOG_COLUMNS)}) "
                        f"select {', '.join(LOG_COLUMNS)} from {PUBLISHED}.{LOG_TABLE}"
                    )
                cursor.execute(
                    f"insert into {NEXT}.{LOG_TABLE} values (%s, %s, %s, %s, %s, %s, %s, %s)",
                    log_row(request, publish_id, published_at, row_counts),
                )
            try:
                request.confirm()
            except BaseException:  # abandoned before the swap: nothing of it stays
                with pg, pg.cursor() as cursor:
                    cursor.execute(f"drop schema if exists {NEXT} cascade")
                raise
            with pg, pg.cursor() as cursor:  # the swap: one transaction
                cursor.execute(f"drop schema if exists {OLD} cascade")
                cursor.execute(
                    "select 1 from information_schema.schemata where schema_name = %s",
                    [PUBLISHED],
                )
                if cursor.fetchone():
                    cursor.execute(f"alter schema {PUBLISHED} rename to {OLD}")
                cursor.execute(f"alter schema {NEXT} rename to {PUBLISHED}")
                cursor.execute(f"drop schema if exists {OLD} cascade")
        finally:
            pg.close()
        return PublishedVersion(publish_id, published_at, self.published_location(), row_counts)

    @staticmethod
    def _has_log(cursor: Any) -> bool:
        cursor.execute(
            "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
            [PUBLISHED, LOG_TABLE],
        )
        return cursor.fetchone() is not None

    def read_log(self) -> list[tuple[Any, ...]]:
        pg = connect()
        try:
            with pg, pg.cursor() as cursor:
                if not self._has_log(cursor):
                    return []
                cursor.execute(
                    f"select publish_id, published_at, dagster_run_id, definitions_version, "
                    f"checks_passed, checks_failed, cast(row_counts as text), "
                    f"cast(accepted_changes as text) from {PUBLISHED}.{LOG_TABLE} "
                    "order by published_at"
                )
                return [tuple(row) for row in cursor.fetchall()]
        finally:
            pg.close()

    def published_location(self) -> str:
        host = os.environ.get("PGHOST", "127.0.0.1")
        database = os.environ.get("PGDATABASE", "common_funnel")
        return f"schema {PUBLISHED} of PostgreSQL database {database} on {host}"


def _information_type(pg: str) -> str:
    """How information_schema spells a type we create."""
    return {
        "text": "text",
        "timestamp": "timestamp without time zone",
        "timestamptz": "timestamp with time zone",
    }.get(pg, pg)


def sqlalchemy_url() -> str:
    """The same libpq settings as a SQLAlchemy URL (for Great Expectations)."""
    from urllib.parse import quote

    user = quote(os.environ.get("PGUSER", "postgres"))
    password = os.environ.get("PGPASSWORD")
    auth = f"{user}:{quote(password)}" if password else user
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    database = os.environ.get("PGDATABASE", "common_funnel")
    return f"postgresql+psycopg2://{auth}@{host}:{port}/{database}"

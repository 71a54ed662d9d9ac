"""The `ingest` schema: the ledger that accounts for every landed file and row.

Every record read from a file is counted once, as one of:
- loaded: a record version the raw table did not hold, stored;
- unchanged: a version the raw table holds already (an earlier export, or an earlier line
  of the same file, carried it); not stored again, its stored copy now points at this file;
- rejected: quarantined in `ingest.rejected_rows` with the line and reason.
"""

from __future__ import annotations

import duckdb

from orchestration.ingest.contract import Table

LEDGER_DDL = """
create schema if not exists ingest;
create table if not exists ingest.file_loads (
    source_file varchar not null,
    table_name varchar not null,
    sha256 varchar not null,
    encoding varchar not null,
    bytes bigint not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    extra_columns varchar[] not null,
    loaded_at timestamp not null,
    run_id varchar,
    rows_unchanged bigint not null default 0,
    primary key (table_name, sha256),
    check (rows_read = rows_loaded + rows_unchanged + rows_rejected)
);
create table if not exists ingest.rejected_rows (
    source_file varchar not null,
    table_name varchar not null,
    sha256 varchar not null,
    line bigint not null,
    raw_text varchar,
    reason varchar not null,
    rejected_at timestamp not null
);
create table if not exists ingest.duplicate_files (
    source_file varchar not null,
    table_name varchar not null,
    sha256 varchar not null,
    duplicate_of varchar not null,
    seen_at timestamp not null,
    primary key (table_name, source_file, sha256)
);
create table if not exists ingest.file_failures (
    source_file varchar not null,
    table_name varchar not null,
    sha256 varchar not null,
    error varchar not null,
    failed_at timestamp not null,
    run_id varchar
);
"""

DUCKDB_TYPES = {
    "string": "varchar",
    "integer": "bigint",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LEDGER_DDL)
    _add_unchanged_count(con)


def _add_unchanged_count(con: duckdb.DuckDBPyConnection) -> None:
    """A ledger written before `rows_unchanged` existed is rebuilt with it (every earlier
    load stored all it accepted: 0 unchanged). The check constraint changes too, which
    DuckDB cannot alter in place: copy, drop, rename, in one transaction."""
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'ingest' and table_name = 'file_loads'"
        ).fetchall()
    }
    if "rows_unchanged" in columns:
        return
    ddl = LEDGER_DDL.split("create table if not exists ingest.file_loads", 1)[1]
    ddl = "create table ingest.file_loads_v2" + ddl.split(";", 1)[0]
    con.execute("begin transaction")
    try:
        con.execute(ddl)
        con.execute(
            "insert into ingest.file_loads_v2 by name select *, 0 as rows_unchanged"
            " from ingest.file_loads"
        )
        con.execute("drop table ingest.file_loads")
        con.execute("alter table ingest.file_loads_v2 rename to file_loads")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def ensure_raw_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Create the raw table: contract columns, kept extras, then the lineage columns."""
    columns = [f"{c.name} {DUCKDB_TYPES[c.type]}" for c in table.columns]
    columns += [
        "_extra_columns json",
        "_source_file varchar not null",
        "_source_line bigint not null",
        "_file_sha256 varchar not null",
        "_loaded_at timestamp not null",
    ]
    con.execute(f"create schema if not exists {table.schema}")
    con.execute(f"create table if not exists {table.qualified_name} ({', '.join(columns)})")
    # a contract that gained a column (an optional one, typically) extends the existing
    # table: rows loaded before keep NULL there, nothing is reloaded
    for column in table.columns:
        con.execute(
            f"alter table {table.qualified_name} add column if not exists "
            f"{column.name} {DUCKDB_TYPES[column.type]}"
        )


def loaded_file_for(con: duckdb.DuckDBPyConnection, table: Table, sha256: str) -> str | None:
    row = con.execute(
        "select source_file from ingest.file_loads where table_name = ? and sha256 = ?",
        [table.qualified_name, sha256],
    ).fetchone()
    return None if row is None else str(row[0])

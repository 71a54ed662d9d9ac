"""Publishing: copy the audited marts into a separate DuckDB file, swapped in atomically.

Why a separate file: while one process writes a DuckDB file, no other process can open
it, not even to read. Analysts therefore never open the warehouse. They open the
published file read-only, and the pipeline never holds that file open: it builds the next
version beside it (`.published.<id>.tmp`) and renames it over the old one. A rename is
atomic on one file system, so a reader sees the old version or the new one, never a mix,
and a reader that already has the old file open keeps reading it undisturbed.

The published file keeps `publish_log` across versions: each publish copies the previous
log and appends its own row.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.engines.base import PublishedVersion

LOG_TABLE = "publish_log"
LOG_COLUMNS = """
    publish_id varchar not null primary key,
    published_at timestamptz not null,
    dagster_run_id varchar,
    definitions_version varchar,
    checks_passed integer,
    checks_failed integer,
    row_counts json not null,
    accepted_changes json
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    warehouse: Path,
    published: Path,
    tables: Mapping[str, str],
    *,
    run_id: str | None,
    definitions_version: str | None,
    checks_passed: int | None = None,
    checks_failed: int | None = None,
    accepted_changes: Sequence[Mapping[str, object]] = (),
    before_swap: Callable[[], object] | None = None,
) -> PublishedVersion:
    """Copy `tables` (published name -> `schema.table` in the warehouse) into a new
    version of `published` and swap it in. Nothing changes for readers until the rename;
    a failure before it (`before_swap` raising included) leaves the previous version as
    it was."""
    publish_id = uuid.uuid4().hex
    published_at = datetime.now(UTC)
    published.parent.mkdir(parents=True, exist_ok=True)
    # a publish killed half-way leaves its staging file; publishes never overlap (they
    # run in the warehouse pool), so any staging file found now is garbage
    for stale in published.parent.glob(f".{published.stem}.*.tmp*"):
        stale.unlink(missing_ok=True)
    staging = published.with_name(f".{published.stem}.{publish_id}.tmp")
    try:
        row_counts = _write_version(
            staging, warehouse, published, tables, publish_id, published_at,
            run_id, definitions_version, checks_passed, checks_failed, accepted_changes,
        )  # fmt: skip
        _fsync(staging)
        if before_swap is not None:
            before_swap()
        stale_wal = published.with_name(published.name + ".wal")
        if stale_wal.exists():  # only a read-write open leaves one; never ours to keep
            stale_wal.unlink()
        os.replace(staging, published)
        _fsync(published.parent)
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return PublishedVersion(publish_id, published_at, str(published), row_counts)


def _write_version(
    staging: Path,
    warehouse: Path,
    previous: Path,
    tables: Mapping[str, str],
    publish_id: str,
    published_at: datetime,
    run_id: str | None,
    definitions_version: str | None,
    checks_passed: int | None,
    checks_failed: int | None,
    accepted_changes: Sequence[Mapping[str, object]],
) -> dict[str, int]:
    con = duckdb.connect(str(staging))
    try:
        con.execute("attach ? as warehouse (read_only)", [str(warehouse)])
        row_counts: dict[str, int] = {}
        for name, source in sorted(tables.items()):
            schema, table = source.split(".", 1)
            con.execute(
                f"create table main.{_quote(name)} as "
                f"select * from warehouse.{_quote(schema)}.{_quote(table)}"
            )
            count = con.execute(f"select count(*) from main.{_quote(name)}").fetchone()
            row_counts[name] = int(count[0]) if count else 0
        con.execute(f"create table main.{LOG_TABLE} ({LOG_COLUMNS})")
        if previous.exists():
            con.execute("attach ? as previous (read_only)", [str(previous)])
            # by name: a log written before a column was added keeps NULL there
            con.execute(
                f"insert into main.{LOG_TABLE} by name select * from previous.main.{LOG_TABLE}"
            )
            con.execute("detach previous")
        con.execute(
            f"insert into main.{LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                publish_id,
                published_at,
                run_id,
                definitions_version,
                checks_passed,
                checks_failed,
                json.dumps(row_counts, sort_keys=True),
                json.dumps(list(accepted_changes), ensure_ascii=False)
                if accepted_changes
                else None,
            ],
        )
        con.execute("detach warehouse")
        con.execute("checkpoint")
    finally:
        con.close()
    return row_counts


def read_log(published: Path) -> list[tuple]:
    """The publish log, oldest first (empty when nothing was ever published)."""
    if not published.exists():
        return []
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(f"select * from main.{LOG_TABLE} order by published_at").fetchall()
    finally:
        con.close()


def published_tables(published: Path) -> Sequence[str]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "order by table_name"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]

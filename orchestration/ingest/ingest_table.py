"""Ingest every landed file of one table: the unit a Dagster asset materializes."""

from __future__ import annotations

import fnmatch
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingest.contract import Table
from orchestration.ingest.decode import FileRejected, sha256_of
from orchestration.ingest.ledger import ensure_ledger
from orchestration.ingest.loader import FileLoad, FileLoader


@dataclass
class TableIngest:
    """Outcome of one ingestion pass over a table's landing folder."""

    table: Table
    loads: list[FileLoad] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    table_rows: int = 0

    @property
    def new_loads(self) -> list[FileLoad]:
        return [load for load in self.loads if load.duplicate_of is None]

    @property
    def duplicates(self) -> list[FileLoad]:
        return [load for load in self.loads if load.duplicate_of is not None]

    def total(self, attribute: str) -> int:
        return sum(getattr(load, attribute) for load in self.new_loads)


def _matching_entries(folder: Path, pattern: str) -> list[Path]:
    """Entries of `folder` whose name matches `pattern` ignoring case, in name order: a
    system that writes `Account.CSV` lands a CSV file as much as one writing `.csv`.
    Hidden entries (a tool's temporary copy, `.name`) stay out, as glob leaves them."""
    wanted = pattern.casefold()
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith(".") and fnmatch.fnmatchcase(p.name.casefold(), wanted)
    )


def landed_files(table: Table, landing_root: Path) -> tuple[list[Path], list[Path]]:
    """Files matching the table's pattern, in name order, and the others in its folder."""
    folder = landing_root / table.folder
    if not folder.is_dir():
        return [], []
    matching = [p for p in _matching_entries(folder, table.pattern) if p.is_file()]
    others = sorted(p for p in folder.iterdir() if p.is_file() and p not in matching)
    return matching, others


def unreadable_entries(table: Table, landing_root: Path) -> list[tuple[Path, str]]:
    """Entries matching the table's pattern that are no readable file, with the reason: a
    link to nothing, a folder, a file this process may not read. Never silently skipped."""
    folder = landing_root / table.folder
    if not folder.is_dir():
        return []
    found = []
    for path in _matching_entries(folder, table.pattern):
        if path.is_symlink() and not path.exists():
            found.append((path, f"a link to a missing file ({os.readlink(path)})"))
        elif path.is_dir():
            found.append((path, "a folder, not a file"))
        elif path.is_file() and not os.access(path, os.R_OK):
            found.append((path, "cannot be read (permission denied)"))
    return found


def ingest_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    landing_root: Path,
    scratch_dir: Path,
    run_id: str | None = None,
) -> TableIngest:
    """Load each new file in its own transaction; collect, never hide, broken files."""
    ensure_ledger(con)
    report = TableIngest(table=table)
    files, others = landed_files(table, landing_root)
    report.ignored_files = [p.relative_to(landing_root).as_posix() for p in others]
    for path, reason in unreadable_entries(table, landing_root):
        source_file = path.relative_to(landing_root).as_posix()
        message = f"{source_file}: {reason}"
        report.failures.append(message)
        _record_failure(con, table, path, source_file, message, run_id)
    files = [p for p in files if os.access(p, os.R_OK)]
    scratch_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_dir) as workdir:
        loader = FileLoader(con, table, Path(workdir))
        for path in files:
            source_file = path.relative_to(landing_root).as_posix()
            try:
                report.loads.append(loader.load(path, source_file, run_id))
            except (FileRejected, duckdb.Error) as error:
                message = str(error) if source_file in str(error) else f"{source_file}: {error}"
                report.failures.append(message)
                _record_failure(con, table, path, source_file, message, run_id)
    row = con.execute(f"select count(*) from {table.qualified_name}").fetchone()
    report.table_rows = int(row[0]) if row else 0
    return report


def _record_failure(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    path: Path,
    source_file: str,
    message: str,
    run_id: str | None,
) -> None:
    con.execute(
        "insert into ingest.file_failures values (?, ?, ?, ?, ?, ?)",
        [
            source_file,
            table.qualified_name,
            sha256_of(path) if path.is_file() and os.access(path, os.R_OK) else "",
            message,
            datetime.now(UTC).replace(tzinfo=None),
            run_id,
        ],
    )

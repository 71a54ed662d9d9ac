"""Load one landed file into its raw table, all or nothing, accounting for every record.

The file is parsed by DuckDB's CSV reader with every column as text, so the only rows it
can refuse are structurally broken ones (wrong field count, bad quoting, invalid UTF-8);
DuckDB stores those in its reject tables. Typing happens in SQL next, and a value that
does not fit its contract type rejects its row with the column named. Records are counted
independently (`csv_scan`) and the load fails unless read = loaded + rejected.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np

from orchestration.ingest.contract import Column, Table
from orchestration.ingest.csv_scan import scan_csv
from orchestration.ingest.decode import UTF8_BOM, FileRejected, sha256_of, to_utf8
from orchestration.ingest.ledger import ensure_raw_table, loaded_file_for

HEADER_PROBE_BYTES = 1024 * 1024


@dataclass
class FileLoad:
    """What happened to one landed file."""

    source_file: str
    sha256: str
    bytes: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    extra_columns: list[str] = field(default_factory=list)
    duplicate_of: str | None = None


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_header(path: Path, display_name: str) -> list[str]:
    """The header record's field names (BOM and surrounding blanks removed)."""
    with path.open("rb") as handle:
        probe = handle.read(HEADER_PROBE_BYTES)
    probe = probe.removeprefix(UTF8_BOM)
    try:
        text = probe.decode("utf-8", errors="strict")
    except UnicodeDecodeError as error:
        if error.start < len(probe) - 4:
            raise FileRejected(f"{display_name}: header is not valid UTF-8") from error
        text = probe[: error.start].decode("utf-8")
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as error:
        raise FileRejected(f"{display_name}: unreadable header: {error}") from error
    return [name.strip() for name in first]


def check_header(table: Table, header: list[str], display_name: str) -> list[str]:
    """Refuse a header with duplicates or missing required columns; return the extras."""
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise FileRejected(f"{display_name}: duplicate column(s) {duplicated} in header")
    known = table.column_by_header()
    missing = [c.header for c in table.columns if c.required and c.header not in header]
    if missing:
        raise FileRejected(
            f"{display_name}: missing required column(s) {missing} for {table.qualified_name}"
        )
    return [name for name in header if name not in known]


def typed_expression(column: Column, source: str) -> str:
    value = f"nullif(trim({source}), '')"
    if column.type == "string":
        return source
    if column.type in ("integer", "double", "boolean"):
        target = {"integer": "bigint", "double": "double", "boolean": "boolean"}[column.type]
        return f"try_cast({value} as {target})"
    if column.type == "date":
        if column.format:
            return f"cast(try_strptime({value}, {sql_literal(column.format)}) as date)"
        return f"try_cast({value} as date)"
    if column.format:
        local = f"try_strptime({value}, {sql_literal(column.format)})"
        zone = sql_literal(column.timezone or "UTC")
        return f"timezone('UTC', timezone({zone}, {local}))"
    # ISO 8601; an offset-less value is read in the session zone, which is UTC.
    return f"timezone('UTC', try_cast({value} as timestamptz))"


def value_checks(column: Column, source: str, typed: str) -> list[tuple[str, str]]:
    """(condition that rejects the row, reason) for one column of one file."""
    value = f"nullif(trim({source}), '')"
    checks = []
    if column.key:
        checks.append((f"{value} is null", sql_literal(column.header + ": empty key")))
    if column.type != "string":
        expected = column.type + (f" ({column.format})" if column.format else "")
        checks.append(
            (
                f"{value} is not null and {typed} is null",
                f"{sql_literal(column.header + ': cannot read ')} || {source}"
                f" || {sql_literal(' as ' + expected)}",
            )
        )
    return checks


class FileLoader:
    """Loads files of one table over one open connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table, workdir: Path) -> None:
        self.con = con
        self.table = table
        self.workdir = workdir
        con.execute("set TimeZone = 'UTC'")
        ensure_raw_table(con, table)

    def load(self, path: Path, source_file: str, run_id: str | None) -> FileLoad:
        sha256 = sha256_of(path)
        result = FileLoad(source_file=source_file, sha256=sha256, bytes=path.stat().st_size)
        loaded_as = loaded_file_for(self.con, self.table, sha256)
        if loaded_as is not None:
            result.duplicate_of = loaded_as
            if loaded_as != source_file:
                self._record_duplicate(result)
            return result
        utf8_path = to_utf8(path, self.table.encoding, self.workdir / "decoded.csv", source_file)
        header = read_header(utf8_path, source_file) if result.bytes else []
        result.extra_columns = check_header(self.table, header, source_file) if header else []
        record_lines = scan_csv(utf8_path).record_lines
        result.rows_read = int(record_lines.size)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        self.con.execute("begin transaction")
        try:
            if header:  # parse even when the scan found no records: DuckDB may disagree
                self._load_records(utf8_path, header, record_lines, result, loaded_at)
            self._record_file(result, loaded_at, run_id)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        return result

    def _load_records(
        self,
        path: Path,
        header: list[str],
        record_lines: np.ndarray,
        result: FileLoad,
        loaded_at: datetime,
    ) -> None:
        con = self.con
        positional = ", ".join(f"'_c{i}': 'varchar'" for i in range(len(header)))
        con.execute("drop table if exists _rejects_errors; drop table if exists _rejects_scans")
        # A table keeps the reader's order (preserve_insertion_order): the i-th row id is
        # the i-th record DuckDB accepted.
        con.execute(
            f"""
            create or replace temp table _parsed as
            select *
            from read_csv({sql_literal(str(path))}, header = true, auto_detect = false,
                columns = {{{positional}}}, delim = ',', quote = '"', escape = '"',
                strict_mode = true, null_padding = false, max_line_size = 16777216,
                store_rejects = true, rejects_table = '_rejects_errors',
                rejects_scan = '_rejects_scans')
            """
        )
        con.execute(
            """
            create or replace temp table _structural as
            select line, string_agg(error_type || ': ' || error_message, '; ') as reason,
                any_value(csv_line) as raw_text
            from _rejects_errors group by line
            """
        )
        refused = np.array(
            [row[0] for row in con.execute("select line from _structural").fetchall()],
            dtype=np.int64,
        )
        kept = np.setdiff1d(record_lines, refused, assume_unique=True)
        parsed = self._count("select count(*) from _parsed")
        unknown = np.setdiff1d(refused, record_lines).size
        if parsed != kept.size or unknown:
            raise FileRejected(
                f"{result.source_file}: cannot account for every record: {record_lines.size}"
                f" counted, DuckDB parsed {parsed} and refused {refused.size}; check the"
                " file's quoting and line ends"
            )
        # Rows written inside a transaction get row ids from a large offset: align on it.
        first_rowid = self._count("select coalesce(min(rowid), 0) from _parsed")
        span = self._count("select coalesce(max(rowid) - min(rowid) + 1, 0) from _parsed")
        if span != parsed:  # the line mapping relies on contiguous row ids: never guess
            raise FileRejected(f"{result.source_file}: row ids not contiguous; not loaded")
        ordinals = np.arange(first_rowid, first_rowid + kept.size, dtype=np.int64)
        con.register("_kept", {"_ordinal": ordinals, "line": kept})
        try:
            self._insert_rows(header, result, loaded_at)
        finally:
            con.unregister("_kept")
            con.execute("drop table if exists _parsed; drop table if exists _structural")

    def _count(self, sql: str, parameters: list[object] | None = None) -> int:
        rows = self.con.execute(sql, parameters or []).fetchall()
        return int(rows[0][0]) if rows else 0

    def _insert_rows(self, header: list[str], result: FileLoad, loaded_at: datetime) -> None:
        """Type every kept record once into `_typed`, then split it: loaded or quarantined."""
        table, con = self.table, self.con
        position = {name: i for i, name in enumerate(header)}
        typed, checks, reasons = [], [], []
        for column in table.columns:
            if column.header in position:
                source = f"p._c{position[column.header]}"
                typed.append(f"{typed_expression(column, source)} as {column.name}")
                checks += [c for c, _ in value_checks(column, source, column.name)]
                reasons += value_checks(column, source, f"t.{column.name}")
            else:
                typed.append(f"null as {column.name}")
        extras = [f"{sql_literal(name)}, p._c{position[name]}" for name in result.extra_columns]
        extra_json = f"json_object({', '.join(extras)})" if extras else "cast(null as json)"
        bad = " or ".join(f"({condition})" for condition in checks) or "false"
        con.execute(
            f"""
            create or replace temp table _typed as
            select k.line as _source_line, p.rowid as _rowid, {", ".join(typed)},
                {extra_json} as _extra_columns, ({bad}) as _bad
            from _parsed as p inner join _kept as k on p.rowid = k._ordinal
            """
        )
        names = ", ".join(c.name for c in table.columns)
        result.rows_loaded = self._count(
            f"""
            insert into {table.qualified_name}
                ({names}, _extra_columns, _source_file, _source_line, _file_sha256, _loaded_at)
            select {names}, _extra_columns, ?, _source_line, ?, ?
            from _typed where not _bad
            """,
            [result.source_file, result.sha256, loaded_at],
        )
        quoted = [
            f"""'"' || replace(coalesce(p._c{i}, ''), '"', '""') || '"'"""
            for i in range(len(header))
        ]
        reason_cases = ", ".join(f"case when {c} then {message} end" for c, message in reasons)
        reason_list = f"list_filter([{reason_cases}], lambda e: e is not null)" if reasons else "[]"
        result.rows_rejected = self._count(
            f"""
            insert into ingest.rejected_rows
            select ?, ?, ?, line, raw_text, reason, ? from _structural
            union all
            select ?, ?, ?, t._source_line, concat_ws(',', {", ".join(quoted)}),
                array_to_string({reason_list}, '; '), ?
            from _typed as t inner join _parsed as p on p.rowid = t._rowid
            where t._bad
            """,
            [result.source_file, table.qualified_name, result.sha256, loaded_at] * 2,
        )
        con.execute("drop table if exists _typed")

    def _record_file(self, result: FileLoad, loaded_at: datetime, run_id: str | None) -> None:
        self.con.execute(
            "insert into ingest.file_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.source_file,
                self.table.qualified_name,
                result.sha256,
                self.table.encoding,
                result.bytes,
                result.rows_read,
                result.rows_loaded,
                result.rows_rejected,
                result.extra_columns,
                loaded_at,
                run_id,
            ],
        )

    def _record_duplicate(self, result: FileLoad) -> None:
        self.con.execute(
            "insert or ignore into ingest.duplicate_files values (?, ?, ?, ?, ?)",
            [
                result.source_file,
                self.table.qualified_name,
                result.sha256,
                result.duplicate_of,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )

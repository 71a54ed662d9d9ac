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


def error_expressions(column: Column, source: str, typed: str) -> list[str]:
    value = f"nullif(trim({source}), '')"
    checks = []
    if column.key:
        checks.append(
            f"case when {value} is null then {sql_literal(column.header + ': empty key')} end"
        )
    if column.type != "string":
        expected = column.type + (f" ({column.format})" if column.format else "")
        checks.append(
            f"case when {value} is not null and {typed} is null then "
            f"{sql_literal(column.header + ': cannot read ')} || {source}"
            f" || {sql_literal(' as ' + expected)} end"
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
        positional = ", ".join(f"'c{i}': 'varchar'" for i in range(len(header)))
        con.execute("drop table if exists _rejects_errors; drop table if exists _rejects_scans")
        con.execute(
            f"""
            create or replace temp table _parsed as
            select row_number() over () as _ordinal, *
            from read_csv({sql_literal(str(path))}, header = true, auto_detect = false,
                columns = {{{positional}}}, delim = ',', quote = '"', escape = '"',
                strict_mode = true, null_padding = false, max_line_size = 16777216,
                store_rejects = true, rejects_table = '_rejects_errors',
                rejects_scan = '_rejects_scans')
            """
        )
        con.register("_record_lines", {"line": record_lines})
        con.execute(
            """
            create or replace temp table _structural as
            select line, string_agg(error_type || ': ' || error_message, '; ') as reason,
                any_value(csv_line) as raw_text
            from _rejects_errors group by line;
            """
        )
        con.execute(
            """
            create or replace temp table _kept as
            select line, row_number() over (order by line) as _ordinal
            from _record_lines anti join _structural using (line)
            """
        )
        self._reconcile(result.source_file, int(record_lines.size))
        self._insert_rows(header, result, loaded_at)

    def _reconcile(self, source_file: str, rows_read: int) -> None:
        parsed, kept, structural, unknown = self.con.execute(
            """
            select (select count(*) from _parsed), (select count(*) from _kept),
                (select count(*) from _structural),
                (select count(*) from _structural
                    where line not in (select line from _record_lines))
            """
        ).fetchone()
        if parsed != kept or unknown or parsed + structural != rows_read:
            raise FileRejected(
                f"{source_file}: cannot account for every record: {rows_read} counted, DuckDB"
                f" parsed {parsed} and refused {structural}; check the file's quoting"
            )

    def _insert_rows(self, header: list[str], result: FileLoad, loaded_at: datetime) -> None:
        table, con = self.table, self.con
        position = {name: i for i, name in enumerate(header)}
        typed, errors = [], []
        for column in table.columns:
            if column.header in position:
                source = f"p.c{position[column.header]}"
                expression = typed_expression(column, source)
                errors += error_expressions(column, source, expression)
            else:
                expression = "null"
            typed.append(f"{expression} as {column.name}")
        extras = [f"{sql_literal(name)}, p.c{position[name]}" for name in result.extra_columns]
        extra_json = f"json_object({', '.join(extras)})" if extras else "cast(null as json)"
        quoted = [
            f"""'"' || replace(coalesce(p.c{i}, ''), '"', '""') || '"'"""
            for i in range(len(header))
        ]
        error_list = (
            f"list_filter([{', '.join(errors)}], lambda e: e is not null)" if errors else "[]"
        )
        con.execute(
            f"""
            create or replace temp table _typed as
            select k.line as _source_line, {", ".join(typed)}, {extra_json} as _extra_columns,
                {error_list} as _errors, concat_ws(',', {", ".join(quoted)}) as _raw_text
            from _parsed as p inner join _kept as k using (_ordinal)
            """
        )
        names = ", ".join(c.name for c in table.columns)
        lineage = [result.source_file, result.sha256, loaded_at]
        con.execute(
            f"""
            insert into {table.qualified_name}
                ({names}, _extra_columns, _source_file, _source_line, _file_sha256, _loaded_at)
            select {names}, _extra_columns, ?, _source_line, ?, ?
            from _typed where len(_errors) = 0
            """,
            lineage,
        )
        con.execute(
            """
            insert into ingest.rejected_rows
            select ?, ?, ?, line, raw_text, reason, ? from _structural
            union all
            select ?, ?, ?, _source_line, _raw_text, array_to_string(_errors, '; '), ?
            from _typed where len(_errors) > 0
            """,
            [result.source_file, table.qualified_name, result.sha256, loaded_at] * 2,
        )
        loaded, rejected = con.execute(
            "select count(*) filter (len(_errors) = 0),"
            " count(*) filter (len(_errors) > 0) + (select count(*) from _structural) from _typed"
        ).fetchone()
        result.rows_loaded, result.rows_rejected = int(loaded), int(rejected)
        for temp in ("_parsed", "_kept", "_structural", "_typed"):
            con.execute(f"drop table if exists {temp}")
        con.unregister("_record_lines")

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

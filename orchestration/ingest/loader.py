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
from concurrent.futures import ThreadPoolExecutor
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
    rows_unchanged: int = 0
    rows_rejected: int = 0
    extra_columns: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    encoding: str = ""  # what the file was read as (decode.to_utf8)


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


def header_key(name: str) -> str:
    """How a file's header names are matched with the contract's: ignoring letter case and
    runs of blanks (`Url`, `URL` and ` url ` are one column). Nothing else is guessed."""
    return " ".join(name.split()).casefold()


SEPARATORS_NOT_COMMA = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def separator_hint(header: list[str]) -> str:
    """What to do when the header is one field holding another separator (Excel writes
    semicolons where the locale's list separator is one: much of Europe)."""
    if len(header) != 1:
        return ""
    for separator, name in SEPARATORS_NOT_COMMA.items():
        if separator in header[0]:
            return (
                f"; the header is one field separated by {name}: export the file"
                " comma-separated (Excel: CSV UTF-8)"
            )
    return ""


def line_end_hint(path: Path) -> str:
    """What to do when a file ends its lines with CR alone (Excel for Mac's "CSV
    (Macintosh)"), which neither the record count nor DuckDB reads as lines."""
    with path.open("rb") as handle:
        probe = handle.read(HEADER_PROBE_BYTES)
    if b"\r" in probe and b"\n" not in probe:
        return (
            ': its lines end with CR alone (Excel for Mac\'s "CSV (Macintosh)"); export'
            " it as CSV UTF-8"
        )
    return "; check the file's quoting and line ends"


def check_header(table: Table, header: list[str], display_name: str) -> list[str]:
    """Refuse a header with duplicates or missing required columns; return the extras."""
    keys = [header_key(name) for name in header]
    duplicated = sorted(
        {name for name, key in zip(header, keys, strict=True) if keys.count(key) > 1}
    )
    if duplicated:
        raise FileRejected(
            f"{display_name}: duplicate column(s) {duplicated} in header (names are matched"
            " ignoring case and blanks)"
        )
    known = {header_key(h) for h in table.column_by_header()}
    missing = [c.header for c in table.columns if c.required and header_key(c.header) not in keys]
    if missing:
        raise FileRejected(
            f"{display_name}: missing required column(s) {missing} for {table.qualified_name}"
            + separator_hint(header)
        )
    return [name for name in header if header_key(name) not in known]


# What a number must look like as text: DuckDB's casts also take 0x10, 1_000, NaN and
# Infinity and round 12.7 into an integer; none of those is a value a source meant.
INTEGER_TEXT = "[+-]?[0-9]+"
DECIMAL_TEXT = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"


def typed_expression(column: Column, source: str) -> str:
    value = f"nullif(trim({source}), '')"
    if column.type == "string":
        return source
    if column.type == "integer":
        # whole numbers only: a decimal is quarantined, never rounded
        return (
            f"case when regexp_full_match({value}, '{INTEGER_TEXT}')"
            f" then try_cast({value} as bigint) end"
        )
    if column.type == "double":
        # plain decimal notation, and finite: 1e400 overflows to infinity
        number = f"try_cast({value} as double)"
        return (
            f"case when regexp_full_match({value}, '{DECIMAL_TEXT}') and isfinite({number})"
            f" then {number} end"
        )
    if column.type == "boolean":
        return f"try_cast({value} as boolean)"
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


def typed_columns(table: Table, header: list[str]) -> tuple[list[str], list[str]]:
    """Over a file's positional columns (`_c0`, `_c1`, ...): each contract column typed
    (`... as name`; NULL when the header lacks it) and the conditions that reject a row."""
    position = {header_key(name): i for i, name in enumerate(header)}
    typed, checks = [], []
    for column in table.columns:
        if header_key(column.header) in position:
            source = f"_c{position[header_key(column.header)]}"
            typed.append(f"{typed_expression(column, source)} as {column.name}")
            checks += [c for c, _ in value_checks(column, source, column.name)]
        else:
            typed.append(f"null as {column.name}")
    return typed, checks


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


def repeated_header_check(header: list[str], sources: list[str]) -> tuple[str, str]:
    """(condition, reason) for a record that is the header line again: two exports
    concatenated into one file. It is quarantined, never loaded as data."""
    same = " and ".join(
        f"lower(trim(coalesce({source}, ''))) = {sql_literal(name.strip().lower())}"
        for name, source in zip(header, sources, strict=True)
    )
    return f"({same})", sql_literal("the header line again (two exports in one file?)")


def nul_checks(header: list[str], sources: list[str]) -> list[tuple[str, str]]:
    """(condition, reason) per field: a NUL character (U+0000) in a value is quarantined.
    DuckDB and Spark would store it, PostgreSQL refuses it (text and jsonb alike): a file
    must not load on one engine and fail on another."""
    return [
        (
            f"coalesce(strpos({source}, chr(0)), 0) > 0",
            sql_literal(f"{name}: a NUL character (U+0000)"),
        )
        for name, source in zip(header, sources, strict=True)
    ]


def record_checks(header: list[str], sources: list[str]) -> list[tuple[str, str]]:
    """(condition, reason) that reject a record whatever its table: the header line again,
    a NUL character in any field. `sources`: the raw text of each header field."""
    return [repeated_header_check(header, sources), *nul_checks(header, sources)]


def raw_text_columns(table: Table, header: list[str]) -> list[str]:
    """Per header field, the `_parsed` column that holds its raw text.

    A string column is stored once, under its contract name (its typed value is the raw
    text); every other field keeps its raw text as `_c<i>`.
    """
    by_header = {header_key(h): c for h, c in table.column_by_header().items()}
    columns = [by_header.get(header_key(name)) for name in header]
    return [
        c.name if c is not None and c.type == "string" else f"_c{i}" for i, c in enumerate(columns)
    ]


def original_lines(path: Path, wanted: set[int]) -> dict[int, str]:
    """The exact text of the records starting on the `wanted` lines, numbered as
    `csv_scan` numbers them (a line break inside a quoted field does not count); without
    their line end. One pass, only for files with quarantined records."""
    found: dict[int, str] = {}
    line, pending, quotes = 1, "", 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for physical in handle:
            pending += physical
            quotes += physical.count('"')
            if quotes % 2:
                continue  # inside a quoted field: the record goes on
            if line in wanted:
                found[line] = pending.rstrip("\r\n")
                if len(found) == len(wanted):
                    break
            line, pending, quotes = line + 1, "", 0
    return found


class FileLoader:
    """Loads files of one table over one open connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table, workdir: Path) -> None:
        self.con = con
        self.table = table
        self.workdir = workdir
        con.execute("set TimeZone = 'UTC'")
        ensure_raw_table(con, table)

    def load(self, path: Path, source_file: str, run_id: str | None) -> FileLoad:
        result = FileLoad(source_file=source_file, sha256="", bytes=path.stat().st_size)
        if self._loaded_before(source_file, result.bytes):
            # Most likely a re-run over the same file: hash first and skip the parse.
            result.sha256 = sha256_of(path)
            if (loaded_as := loaded_file_for(self.con, self.table, result.sha256)) is not None:
                self._note_duplicate(result, loaded_as)
                return result
        decoded = to_utf8(path, self.table.encoding, self.workdir / "decoded.csv", source_file)
        utf8_path, result.encoding = decoded.path, decoded.encoding
        header = read_header(utf8_path, source_file) if result.bytes else []
        result.extra_columns = check_header(self.table, header, source_file) if header else []
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        # Hashing and the independent count run beside DuckDB's parse (hashlib, NumPy and
        # DuckDB all release the GIL); a new file is checked for a duplicate afterwards.
        with ThreadPoolExecutor(max_workers=2) as pool:
            digest = None if result.sha256 else pool.submit(sha256_of, path)
            scan = pool.submit(scan_csv, utf8_path)
            self.con.execute("begin transaction")
            try:
                if header:  # parse even when the scan finds no records: DuckDB may disagree
                    self._parse(utf8_path, header, result)
                if digest is not None:
                    result.sha256 = digest.result()
                    loaded_as = loaded_file_for(self.con, self.table, result.sha256)
                    if loaded_as is not None:
                        self.con.execute("rollback")
                        self._note_duplicate(result, loaded_as)  # outside the discarded work
                        return result
                record_lines = scan.result().record_lines
                result.rows_read = int(record_lines.size)
                if header:
                    self._load_records(utf8_path, record_lines, header, result, loaded_at)
                self._record_file(result, loaded_at, run_id)
                self.con.execute("commit")
            except BaseException:
                self.con.execute("rollback")
                raise
            finally:
                self.con.execute("drop table if exists _parsed; drop table if exists _structural")
        return result

    def _loaded_before(self, source_file: str, size: int) -> bool:
        return bool(
            self._count(
                "select count(*) from ingest.file_loads"
                " where table_name = ? and source_file = ? and bytes = ?",
                [self.table.qualified_name, source_file, size],
            )
        )

    def _note_duplicate(self, result: FileLoad, loaded_as: str) -> None:
        """This content is loaded already; a copy landed under a new name is recorded."""
        result.duplicate_of = loaded_as
        if loaded_as != result.source_file:
            self._record_duplicate(result)

    def _parse(self, path: Path, header: list[str], result: FileLoad) -> None:
        """Parse and type the file in one pass into `_parsed`, one row per accepted record.

        A table keeps the reader's order (preserve_insertion_order): the i-th row id is the
        i-th record DuckDB accepted. Raw text stays beside the typed values for quarantine.
        """
        con, table = self.con, self.table
        position = {header_key(name): i for i, name in enumerate(header)}
        typed, checks = typed_columns(table, header)
        extras = [
            f"{sql_literal(name)}, _c{position[header_key(name)]}" for name in result.extra_columns
        ]
        extra_json = f"json_object({', '.join(extras)})" if extras else "cast(null as json)"
        fields = [f"_c{i}" for i in range(len(header))]
        checks += [condition for condition, _ in record_checks(header, fields)]
        bad = " or ".join(f"({condition})" for condition in checks)
        positional = ", ".join(f"'_c{i}': 'varchar'" for i in range(len(header)))
        # String columns are stored once, as themselves; raw text is kept for the rest.
        kept = [f"_c{i}" for i, c in enumerate(raw_text_columns(table, header)) if c == f"_c{i}"]
        raw = ", ".join(kept)
        con.execute("drop table if exists _rejects_errors; drop table if exists _rejects_scans")
        con.execute(
            f"""
            create or replace temp table _parsed as
            select {", ".join(filter(None, [raw, *typed]))}, {extra_json} as _extra_columns,
                ({bad}) as _bad
            from read_csv({sql_literal(str(path))}, header = true, auto_detect = false,
                columns = {{{positional}}}, delim = ',', quote = '"', escape = '"',
                strict_mode = true, null_padding = false, max_line_size = 16777216,
                store_rejects = true, rejects_table = '_rejects_errors',
                rejects_scan = '_rejects_scans')
            """
        )

    def _load_records(
        self,
        path: Path,
        record_lines: np.ndarray,
        header: list[str],
        result: FileLoad,
        loaded_at: datetime,
    ) -> None:
        con = self.con
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
        unknown = refused.size - int(np.isin(refused, record_lines, assume_unique=True).sum())
        if parsed != kept.size or unknown:
            raise FileRejected(
                f"{result.source_file}: cannot account for every record: {record_lines.size}"
                f" counted, DuckDB parsed {parsed} and refused {refused.size}" + line_end_hint(path)
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
        if result.rows_rejected:
            self._keep_original_text(path, result)

    def _keep_original_text(self, path: Path, result: FileLoad) -> None:
        """Quarantined rows keep the exact original record, not a rebuilt one."""
        lines = [
            int(r[0])
            for r in self.con.execute(
                "select line from ingest.rejected_rows where source_file = ? and sha256 = ?",
                [result.source_file, result.sha256],
            ).fetchall()
        ]
        texts = original_lines(path, set(lines))
        self.con.executemany(
            "update ingest.rejected_rows set raw_text = ? "
            "where source_file = ? and sha256 = ? and line = ?",
            [[texts[n], result.source_file, result.sha256, n] for n in lines if n in texts],
        )

    def _count(self, sql: str, parameters: list[object] | None = None) -> int:
        rows = self.con.execute(sql, parameters or []).fetchall()
        return int(rows[0][0]) if rows else 0

    def _insert_rows(self, header: list[str], result: FileLoad, loaded_at: datetime) -> None:
        """Split the typed records: stored in the raw table, found unchanged, or quarantined
        with reasons."""
        table = self.table
        position = {header_key(name): i for i, name in enumerate(header)}
        raw_text = raw_text_columns(table, header)
        reasons = record_checks(header, [f"p.{c}" for c in raw_text])
        for column in table.columns:
            if header_key(column.header) in position:
                source = f"p.{raw_text[position[header_key(column.header)]]}"
                reasons += value_checks(column, source, f"p.{column.name}")
        self._store_versions(result, loaded_at)
        quoted = [f"""'"' || replace(coalesce(p.{c}, ''), '"', '""') || '"'""" for c in raw_text]
        reason_cases = ", ".join(f"case when {c} then {message} end" for c, message in reasons)
        reason_list = f"list_filter([{reason_cases}], lambda e: e is not null)" if reasons else "[]"
        result.rows_rejected = self._count(
            f"""
            insert into ingest.rejected_rows
            select ?, ?, ?, line, raw_text, reason, ? from _structural
            union all
            select ?, ?, ?, k.line, concat_ws(',', {", ".join(quoted)}),
                array_to_string({reason_list}, '; '), ?
            from _parsed as p inner join _kept as k on p.rowid = k._ordinal
            where p._bad
            """,
            [result.source_file, table.qualified_name, result.sha256, loaded_at] * 2,
        )

    def _store_versions(self, result: FileLoad, loaded_at: datetime) -> None:
        """Store each record version once. A full export repeats most records unchanged: a
        version the table holds already (every contract column and the kept extras equal)
        is not stored again; its stored copy takes this file's lineage instead, so it ranks
        exactly where the repeated copy would have (staging keeps the latest loaded copy of
        the newest version: `export_rank`), and the raw table grows by the changes only.

        Within the file, identical records collapse onto the last one. Counted: loaded
        (stored), unchanged (not stored: the version was there).
        """
        con, table = self.con, self.table
        names = [c.name for c in table.columns] + ["_extra_columns"]
        content = ", ".join(f"p.{n}" for n in names)
        accepted_rows = """
            from _parsed as p inner join _kept as k on p.rowid = k._ordinal
            where not p._bad
        """
        # Most files repeat no record: when no two rows' content hashes are equal, no two
        # rows are (equal rows hash alike) and the window over every column is not needed.
        rows, hashes = con.execute(
            f"select count(*), count(distinct hash({content})) {accepted_rows}"
        ).fetchone() or (0, 0)
        copy = (
            "1"
            if rows == hashes
            else f"row_number() over (partition by {content} order by k.line desc)"
        )
        con.execute(
            f"""
            create or replace temp table _accepted as
            select {content}, k.line as _source_line, {copy} as _copy
            {accepted_rows}
            """
        )
        accepted = int(rows)
        # the stored copy of each version seen again (one, should an old table hold two);
        # an empty raw table (a first load) holds none
        same = " and ".join(f"a.{n} is not distinct from t.{n}" for n in names)
        seen = (
            f"""
            select a._source_line, max(t.rowid) as stored
            from _accepted as a inner join {table.qualified_name} as t on {same}
            where a._copy = 1
            group by a._source_line
            """
            if self._count(f"select count(*) from {table.qualified_name}")
            else "select cast(null as bigint) as _source_line, cast(null as bigint) as stored"
            " where false"
        )
        con.execute(f"create or replace temp table _seen as {seen}")
        con.execute(
            f"""
            update {table.qualified_name} as t
            set _source_file = ?, _source_line = s._source_line, _file_sha256 = ?,
                _loaded_at = ?
            from _seen as s
            where t.rowid = s.stored
            """,
            [result.source_file, result.sha256, loaded_at],
        )
        result.rows_loaded = self._count(
            f"""
            insert into {table.qualified_name}
                ({", ".join(names)}, _source_file, _source_line, _file_sha256, _loaded_at)
            select {", ".join(names)}, ?, _source_line, ?, ?
            from _accepted
            where _copy = 1 and _source_line not in (select _source_line from _seen)
            """,
            [result.source_file, result.sha256, loaded_at],
        )
        result.rows_unchanged = accepted - result.rows_loaded
        con.execute("drop table if exists _accepted; drop table if exists _seen")

    def _record_file(self, result: FileLoad, loaded_at: datetime, run_id: str | None) -> None:
        self.con.execute(
            """
            insert into ingest.file_loads (source_file, table_name, sha256, encoding, bytes,
                rows_read, rows_loaded, rows_rejected, extra_columns, loaded_at, run_id,
                rows_unchanged)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                result.source_file,
                self.table.qualified_name,
                result.sha256,
                result.encoding or self.table.encoding,
                result.bytes,
                result.rows_read,
                result.rows_loaded,
                result.rows_rejected,
                result.extra_columns,
                loaded_at,
                run_id,
                result.rows_unchanged,
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

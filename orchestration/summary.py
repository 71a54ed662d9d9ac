"""A short, human-readable account of what the warehouse holds."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _row_counts(con: duckdb.DuckDBPyConnection, where: str) -> list[tuple[str, int]]:
    """(schema.table, rows) for the tables matching a fixed, code-written condition."""
    names = con.execute(
        f"select schema_name || '.' || table_name from duckdb_tables() where {where} order by 1"
    ).fetchall()
    return [
        (name, int(con.execute(f"select count(*) from {name}").fetchall()[0][0]))
        for (name,) in names
    ]


def warehouse_summary(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = _row_counts(con, "schema_name like 'raw_%'")
        marts = _row_counts(con, "schema_name = 'marts'")
        agreed = (
            con.execute("select definitions_version from definitions.agreement").fetchall()
            if _row_counts(con, "schema_name = 'definitions' and table_name = 'agreement'")
            else []
        )
        files = con.execute(
            """
            select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0),
                coalesce(sum(rows_rejected), 0)
            from ingest.file_loads
            """
        ).fetchone()
        failures = con.execute("select count(*) from ingest.file_failures").fetchone()
    finally:
        con.close()
    assert files is not None and failures is not None
    lines = [f"Warehouse: {path}", "", "Raw tables (rows):"]
    lines += [f"  {name:<45} {rows:>10,}" for name, rows in tables]
    lines += [
        "",
        f"Files loaded: {files[0]:,}   rows read: {files[1]:,}   loaded: {files[2]:,}"
        f"   rejected: {files[3]:,} (see ingest.rejected_rows)",
    ]
    if failures[0]:
        lines.append(f"Files refused: {failures[0]} (see ingest.file_failures)")
    if agreed:
        lines += ["", f"Agreed definitions: version {agreed[0][0]} (schema definitions)"]
    if marts:
        lines += ["", "Semantic layer, marts (rows):"]
        lines += [f"  {name:<45} {rows:>10,}" for name, rows in marts]
    return "\n".join(lines)

"""A short, human-readable account of what the warehouse holds."""

from __future__ import annotations

from pathlib import Path

import duckdb


def warehouse_summary(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
            " where schema_name like 'raw_%' order by 1"
        ).fetchall()
        tables = [
            (name, con.execute(f"select count(*) from {name}").fetchone()[0])  # type: ignore[index]
            for (name,) in names
        ]
        marts = con.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables()"
            " where schema_name = 'marts' order by 1"
        ).fetchall()
        marts = [
            (name, con.execute(f"select count(*) from {name}").fetchall()[0][0])
            for name, _ in marts
        ]
        agreed = (
            con.execute("select definitions_version from definitions.agreement").fetchall()
            if con.execute(
                "select count(*) from duckdb_tables()"
                " where schema_name = 'definitions' and table_name = 'agreement'"
            ).fetchall()[0][0]
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

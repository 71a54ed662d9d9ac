"""A short, human-readable account of what the warehouse and the published file hold."""

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
                coalesce(sum(rows_rejected), 0), coalesce(sum(rows_unchanged), 0)
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
        f"   unchanged (stored already): {files[4]:,}"
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


def published_summary(path: Path) -> str:
    """The published file: its tables and the latest publish (read-only, like analysts)."""
    if not path.exists():
        return f"Published: nothing yet ({path} does not exist)"
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = _row_counts(con, "schema_name = 'main' and table_name <> 'publish_log'")
        latest = con.execute(
            """
            select publish_id, published_at, definitions_version, checks_passed, checks_failed,
                (select count(*) from publish_log)
            from publish_log order by published_at desc limit 1
            """
        ).fetchone()
    finally:
        con.close()
    lines = [f"Published (read-only for analysts): {path}", ""]
    lines += [f"  {name.removeprefix('main.'):<45} {rows:>10,}" for name, rows in tables]
    if latest:
        lines += [
            "",
            f"Latest publish {latest[0]} at {latest[1]:%Y-%m-%d %H:%M:%S %Z}: definitions "
            f"{latest[2]}, checks passed {latest[3]}, failed {latest[4]} "
            f"({latest[5]} publishes in publish_log)",
            f"Charts: {path.parent / 'charts'}",
            f'Query: duckdb -readonly {path} "select * from metric_funnel_waterfall limit 5"',
        ]
    return "\n".join(lines)


def engine_published_summary(engine_name: str, warehouse: Path, published: Path) -> str:
    """What the last publish wrote, on any engine (the DuckDB file in detail)."""
    if engine_name == "duckdb":
        return published_summary(published)
    import json

    from orchestration.engines.select import engine_for

    engine = engine_for(engine_name, warehouse, published)
    log = engine.read_log()
    lines = [f"Published on {engine_name} (read-only for analysts): {engine.published_location()}"]
    if not log:
        return "\n".join([*lines, "  nothing yet"])
    publish_id, at, _, version, passed, failed, row_counts = log[-1][:7]
    lines += [""] + [
        f"  {name:<45} {rows:>10,}" for name, rows in sorted(json.loads(row_counts).items())
    ]
    lines += [
        "",
        f"Latest publish {publish_id} at {at:%Y-%m-%d %H:%M:%S %Z}: definitions {version}, "
        f"checks passed {passed}, failed {failed} ({len(log)} publishes in publish_log)",
    ]
    return "\n".join(lines)

"""One Dagster asset per raw table, built from the landing contract, all loaded by one
step (`ingest_landed_files`) that works on several tables at once.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation
of asset functions at definition time and refuses string annotations.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.ingest.contract import Table, load_contract
from orchestration.ingest.ingest_table import TableIngest, ingest_table, landed_files
from orchestration.ingest.ledger import ensure_ledger, ensure_raw_table
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.settings import SourceModes, ingest_threads

WAREHOUSE_POOL = "warehouse"
INGEST_STEP = "ingest_landed_files"


def _files_markdown(report: TableIngest) -> str:
    rows = [
        "| file | read | loaded | unchanged | rejected | extra columns |",
        "|---|---:|---:|---:|---:|---|",
    ]
    rows += [
        f"| {load.source_file} | {load.rows_read} | {load.rows_loaded} | {load.rows_unchanged}"
        f" | {load.rows_rejected} | {', '.join(load.extra_columns)} |"
        for load in report.new_loads
    ]
    return "\n".join(rows)


def _metadata(report: TableIngest) -> dict[str, object]:
    extras = sorted({name for load in report.new_loads for name in load.extra_columns})
    return {
        "dagster/row_count": report.table_rows,
        "files_loaded": len(report.new_loads),
        "files_already_loaded": len(report.duplicates),
        "files_failed": len(report.failures),
        "rows_read": report.total("rows_read"),
        "rows_loaded": report.total("rows_loaded"),
        "rows_unchanged": report.total("rows_unchanged"),
        "rows_rejected": report.total("rows_rejected"),
        "bytes_loaded": report.total("bytes"),
        "extra_columns": extras,
        "ignored_files": report.ignored_files,
        "files": MetadataValue.md(_files_markdown(report)),
    }


def _spec(table: Table, freshness_policy: FreshnessPolicy | None) -> AssetSpec:
    columns = ", ".join(f"{c.header} → {c.name} ({c.type})" for c in table.columns)
    return AssetSpec(
        key=AssetKey([table.schema, table.name]),
        group_name=table.group,
        owners=[table.owner],
        kinds={"duckdb", "csv"},
        description=f"{table.description}\n\nLanded in `{table.folder}/{table.pattern}`"
        f" ({table.encoding}). Columns: {columns}.",
        metadata={"landing_folder": table.folder, "encoding": table.encoding},
        freshness_policy=freshness_policy,
    )


def _landed_bytes(table: Table, landing_root: Path) -> int:
    return sum(p.stat().st_size for p in landed_files(table, landing_root)[0] if p.is_file())


def _load_tables(
    con: duckdb.DuckDBPyConnection,
    tables: list[Table],
    landing_root: Path,
    scratch: Path,
    run_id: str,
) -> dict[str, TableIngest]:
    """Each table's files over its own connection to the one open database, `ingest_threads()`
    tables at a time, the largest first. Every table has its own raw table, temp tables and
    scratch folder; they share only the ledger, to which each appends its own rows."""
    ensure_ledger(con)
    for table in tables:  # catalog changes before the threads: DuckDB refuses them at once
        ensure_raw_table(con, table)
    ordered = sorted(tables, key=lambda t: _landed_bytes(t, landing_root), reverse=True)

    def load(table: Table) -> TableIngest:
        cursor = con.cursor()
        try:
            return ingest_table(cursor, table, landing_root, scratch, run_id=run_id)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=ingest_threads(), thread_name_prefix="ingest") as pool:
        loads = {t.qualified_name: pool.submit(load, t) for t in ordered}
        return {name: future.result() for name, future in loads.items()}


def build_landed_files_asset(
    tables: list[Table], freshness_policy: FreshnessPolicy | None = None
) -> AssetsDefinition:
    """One step loads every selected raw table of the file-mode systems, several tables at
    once (each table is still its own asset, materialized or failed on its own)."""
    by_key = {AssetKey([t.schema, t.name]): t for t in tables}

    @multi_asset(
        specs=[_spec(t, freshness_policy) for t in tables],
        name=INGEST_STEP,
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description="Load the landed files of every selected raw table (landing contract).",
    )
    def ingest_landed_files(
        context: AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource
    ) -> Iterator[MaterializeResult]:
        selected = [t for key, t in by_key.items() if key in context.selected_asset_keys]
        scratch = warehouse.resolved_path().parent / ".ingest_scratch"
        engine = warehouse.engine_for()
        with warehouse.connect() as con:
            reports = _load_tables(
                con, selected, landing.resolved_root(), scratch, context.run.run_id
            )
            # validated and accounted for here; the engine receives the loaded rows
            engine.ship(con, [t.qualified_name for t in selected])
        refused: list[str] = []
        refused_files: dict[str, object] = {}
        for table in selected:
            report = reports[table.qualified_name]
            metadata = _metadata(report)
            if engine.name != "duckdb":
                metadata["engine"] = engine.name
            if report.failures:
                refused.append(
                    f"{table.qualified_name}: {len(report.failures)} file(s) refused: "
                    + "; ".join(report.failures)
                )
                refused_files[f"{table.qualified_name} files"] = MetadataValue.md(
                    _files_markdown(report)
                )
                context.log.error(refused[-1])
                continue
            context.log.info(
                f"{table.qualified_name}: {metadata['files_loaded']} new file(s), "
                f"{metadata['rows_loaded']} rows loaded, {metadata['rows_unchanged']} unchanged"
                f" (stored already), {metadata['rows_rejected']} rejected"
            )
            key = AssetKey([table.schema, table.name])
            yield MaterializeResult(asset_key=key, metadata=metadata)
        if refused:
            # the other tables are materialized above; these stay as they were
            raise Failure(
                description=" | ".join(refused),
                metadata=refused_files,  # what those tables did load, file by file
                allow_retries=False,  # a broken file stays broken: fix it, land it again
            )

    return ingest_landed_files


def build_ingest_assets(
    freshness_policy: FreshnessPolicy | None = None, modes: SourceModes | None = None
) -> list[AssetsDefinition]:
    """An ingest asset per raw table of every file-mode system; the tables of a system in
    `fivetran` mode (settings) are observed where the connector landed them instead."""
    from orchestration.ingest.fivetran import build_fivetran_assets, connector_tables

    modes = modes or SourceModes()
    tables = load_contract()
    files = [t for t in tables if modes.mode(t.system) == "files"]
    assets = [build_landed_files_asset(files, freshness_policy)] if files else []
    for system in sorted({t.system for t in tables if modes.mode(t.system) == "fivetran"}):
        system_tables = connector_tables(system, [t for t in tables if t.system == system])
        assets.append(build_fivetran_assets(system, system_tables, freshness_policy))
    return assets

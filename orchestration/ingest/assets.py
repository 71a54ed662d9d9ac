"""One Dagster asset per raw table, built from the landing contract.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation
of asset functions at definition time and refuses string annotations.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.ingest.contract import Table, load_contract
from orchestration.ingest.ingest_table import TableIngest, ingest_table
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.settings import SourceModes

WAREHOUSE_POOL = "warehouse"


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


def build_ingest_asset(
    table: Table, freshness_policy: FreshnessPolicy | None = None
) -> AssetsDefinition:
    columns = ", ".join(f"{c.header} → {c.name} ({c.type})" for c in table.columns)

    @asset(
        key=AssetKey([table.schema, table.name]),
        group_name=table.group,
        owners=[table.owner],
        kinds={"duckdb", "csv"},
        pool=WAREHOUSE_POOL,
        description=f"{table.description}\n\nLanded in `{table.folder}/{table.pattern}`"
        f" ({table.encoding}). Columns: {columns}.",
        metadata={"landing_folder": table.folder, "encoding": table.encoding},
        freshness_policy=freshness_policy,
    )
    def _ingest(
        context: AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource
    ) -> MaterializeResult:
        scratch = warehouse.resolved_path().parent / ".ingest_scratch"
        engine = warehouse.engine_for()
        with warehouse.connect() as con:
            report = ingest_table(
                con, table, landing.resolved_root(), scratch, run_id=context.run.run_id
            )
            # validated and accounted for here; the engine receives the loaded rows
            engine.ship(con, [table.qualified_name])
        metadata = _metadata(report)
        if engine.name != "duckdb":
            metadata["engine"] = engine.name
        if report.failures:
            raise Failure(
                description=f"{table.qualified_name}: {len(report.failures)} file(s) refused: "
                + "; ".join(report.failures),
                metadata=metadata,
                allow_retries=False,  # a broken file stays broken: fix it, land it again
            )
        context.log.info(
            f"{table.qualified_name}: {metadata['files_loaded']} new file(s), "
            f"{metadata['rows_loaded']} rows loaded, {metadata['rows_unchanged']} unchanged"
            f" (stored already), {metadata['rows_rejected']} rejected"
        )
        return MaterializeResult(metadata=metadata)

    return _ingest


def build_ingest_assets(
    freshness_policy: FreshnessPolicy | None = None, modes: SourceModes | None = None
) -> list[AssetsDefinition]:
    """An ingest asset per raw table of every file-mode system; the tables of a system in
    `fivetran` mode (settings) are observed where the connector landed them instead."""
    from orchestration.ingest.fivetran import build_fivetran_assets, connector_tables

    modes = modes or SourceModes()
    tables = load_contract()
    assets = [
        build_ingest_asset(t, freshness_policy) for t in tables if modes.mode(t.system) == "files"
    ]
    for system in sorted({t.system for t in tables if modes.mode(t.system) == "fivetran"}):
        system_tables = connector_tables(system, [t for t in tables if t.system == system])
        assets.append(build_fivetran_assets(system, system_tables, freshness_policy))
    return assets

"""The agreed definitions as Dagster assets: one warehouse table per part of the file.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    multi_asset,
)

from orchestration.common_language.load import DefinitionsError, load_definitions
from orchestration.common_language.tables import (
    SCHEMA,
    TABLES,
    definition_tables,
    write_tables,
)
from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import DefinitionsFileResource, WarehouseResource

GROUP = "agreed_definitions"


@multi_asset(
    name="agreed_definitions",
    specs=[
        AssetSpec(
            AssetKey([SCHEMA, name]),
            description=description,
            group_name=GROUP,
            owners=["team:marketing", "team:sales"],
            kinds={"duckdb", "yaml"},
        )
        for name, description in TABLES.items()
    ],
    pool=WAREHOUSE_POOL,
    description="Validate the agreed definitions file and copy it into `definitions`.",
)
def agreed_definitions(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    definitions_file: DefinitionsFileResource,
) -> Iterator[MaterializeResult]:
    try:
        loaded = load_definitions(definitions_file.resolved_path())
    except DefinitionsError as error:
        raise Failure(description=str(error)) from error
    tables = definition_tables(loaded)
    with warehouse.connect() as con:
        con.execute("begin transaction")
        write_tables(con, tables)
        con.execute("commit")
        warehouse.engine_for().ship(con, [f"{SCHEMA}.{table.name}" for table in tables])
    context.log.info(f"definitions {loaded.version} ({loaded.sha256[:12]}) from {loaded.path}")
    for table in tables:
        yield MaterializeResult(
            asset_key=AssetKey([SCHEMA, table.name]),
            metadata={
                "dagster/row_count": len(table.rows),
                "definitions_version": loaded.version,
                "definitions_sha256": loaded.sha256,
                "definitions_file": str(loaded.path),
            },
        )

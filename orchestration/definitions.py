"""The one place where assets, jobs and resources meet."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from orchestration.common_language.assets import agreed_definitions
from orchestration.ingest.assets import build_ingest_assets
from orchestration.resources import DefinitionsFileResource, LandingResource, WarehouseResource

FULL_JOB_NAME = "full_materialization"

full_materialization = define_asset_job(
    name=FULL_JOB_NAME,
    selection=AssetSelection.all(),
    description="Everything, landing files to published tables, in one run.",
)

defs = Definitions(
    assets=[*build_ingest_assets(), agreed_definitions],
    jobs=[full_materialization],
    resources={
        "warehouse": WarehouseResource(),
        "landing": LandingResource(),
        "definitions_file": DefinitionsFileResource(),
    },
    # DuckDB takes one writer process: steps run in the run's own process, one at a time.
    executor=in_process_executor,
)

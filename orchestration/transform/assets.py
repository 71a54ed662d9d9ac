"""The dbt project as Dagster assets: `dbt build` through DbtCliResource.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import SourcesResource, WarehouseResource
from orchestration.settings import (
    ENV_DBT_COLUMN_LINEAGE,
    ENV_DBT_UNIT_TESTS,
    ENV_WAREHOUSE,
    overridden_environment,
)
from orchestration.transform.adapter_connections import close_adapter_connections
from orchestration.transform.failures import dbt_failure
from orchestration.transform.project import dbt_project
from orchestration.transform.translator import FunnelTranslator


def _artifact(invocation: Any, name: str) -> dict[str, Any] | None:
    try:
        return invocation.get_artifact(name)
    except Exception:
        return None


def _build_args() -> list[str]:
    """`dbt build`, without the unit tests when COMMON_FUNNEL_DBT_UNIT_TESTS=0."""
    if os.environ.get(ENV_DBT_UNIT_TESTS, "1").strip() == "0":
        return ["build", "--exclude", "resource_type:unit_test"]
    return ["build"]


def build_dbt_assets(project: DbtProject | None = None) -> AssetsDefinition:
    project = project or dbt_project()

    def _manifest() -> dict[str, Any]:
        return json.loads(project.manifest_path.read_text(encoding="utf-8"))

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=FunnelTranslator(),
        pool=WAREHOUSE_POOL,
        name="funnel_dbt_models",
    )
    def funnel_dbt_models(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        sources: SourcesResource,
    ) -> Iterator[Any]:
        engine = warehouse.engine_for()
        env = {
            ENV_WAREHOUSE: str(warehouse.resolved_path()),
            **sources.modes().env(),
            **engine.dbt_env(),
        }
        engine.before_dbt()
        # env_var in dbt's profile and sources keeps dbt's partial parsing, unlike --vars
        with overridden_environment(env):
            invocation = dbt.cli(_build_args(), context=context)
            try:
                events = invocation.stream()
                if engine.name != "spark":
                    # through dbt's adapter in this process; Spark's lives in dbt's process
                    lineage = os.environ.get(ENV_DBT_COLUMN_LINEAGE, "1").strip() != "0"
                    events = events.fetch_row_counts().fetch_column_metadata(
                        with_column_lineage=lineage
                    )
                yield from events
            except DagsterDbtCliRuntimeError as error:
                manifest = _artifact(invocation, "manifest.json") or _manifest()
                failure = dbt_failure(_artifact(invocation, "run_results.json"), manifest)
                if failure is None:
                    raise
                raise failure from error
            finally:
                # Row counts and column metadata query the warehouse through dbt's adapter
                # in this process; close that connection so nothing keeps the file open.
                close_adapter_connections(invocation.adapter)
        if invocation.is_successful():
            shutil.rmtree(invocation.target_path, ignore_errors=True)

    return funnel_dbt_models

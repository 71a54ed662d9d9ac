"""The dbt project as Dagster assets: `dbt build` through DbtCliResource.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import SourcesResource, WarehouseResource
from orchestration.settings import ENV_WAREHOUSE
from orchestration.transform.adapter_connections import close_adapter_connections
from orchestration.transform.project import dbt_project
from orchestration.transform.translator import FunnelTranslator


@contextmanager
def _dbt_env(values: Mapping[str, str]) -> Iterator[None]:
    """dbt's profile and sources read the warehouse path and the source modes from the
    environment (env_var keeps dbt's partial parsing, unlike --vars): point them at the
    resources' settings for this step."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_dbt_assets(project: DbtProject | None = None) -> AssetsDefinition:
    project = project or dbt_project()

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
        env = {ENV_WAREHOUSE: str(warehouse.resolved_path()), **sources.modes().env()}
        with _dbt_env(env):
            invocation = dbt.cli(["build"], context=context)
            try:
                yield from invocation.stream().fetch_row_counts().fetch_column_metadata()
            finally:
                # Row counts and column metadata query the warehouse through dbt's adapter
                # in this process; close that connection so nothing keeps the file open.
                close_adapter_connections(invocation.adapter)
        if invocation.is_successful():
            shutil.rmtree(invocation.target_path, ignore_errors=True)

    return funnel_dbt_models

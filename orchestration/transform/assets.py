"""The dbt project as Dagster assets: `dbt build` through DbtCliResource.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from typing import Any

from dagster import AssetCheckResult, AssetExecutionContext, AssetsDefinition, Failure
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.quality.check_targets import prefetch_check_targets
from orchestration.resources import SourcesResource, WarehouseResource
from orchestration.settings import (
    ENV_DBT_COLUMN_LINEAGE,
    ENV_DBT_UNIT_TESTS,
    ENV_WAREHOUSE,
    overridden_environment,
)
from orchestration.transform import partial_parse
from orchestration.transform.adapter_connections import close_adapter_connections
from orchestration.transform.failures import dbt_failure
from orchestration.transform.project import dbt_project
from orchestration.transform.table_metadata import (
    NOTHING_REPORTED,
    drain,
    reported_models,
    with_table_metadata,
)
from orchestration.transform.translator import FunnelTranslator
from orchestration.transform.unchanged import unchanged_since_last_publish
from orchestration.warm_imports import warm_in_background


def _artifact(invocation: Any, name: str) -> dict[str, Any] | None:
    try:
        return invocation.get_artifact(name)
    except Exception:
        return None


def models_then_tests(context: AssetExecutionContext, events: Iterable[Any]) -> Iterator[Any]:
    """Every model's event, then every test's result: the results' target materializations
    are then all stored and fetched in one query (check_targets.py)."""
    tests = []
    for event in events:
        if isinstance(event, AssetCheckResult):
            tests.append(event)
        else:
            yield event
    prefetch_check_targets(context, [test.asset_key for test in tests])
    yield from tests


def _build_args() -> list[str]:
    """`dbt build`, with the unit tests only when COMMON_FUNNEL_DBT_UNIT_TESTS=1."""
    if os.environ.get(ENV_DBT_UNIT_TESTS, "0").strip() == "1":
        return ["build"]
    return ["build", "--exclude", "resource_type:unit_test"]


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
        unchanged = unchanged_since_last_publish(
            warehouse.resolved_path(), engine, sources.modes().uses_fivetran
        )
        if unchanged:
            context.log.info(unchanged)
            return  # no output: Dagster skips what depends on it, and says so
        env = {
            ENV_WAREHOUSE: str(warehouse.resolved_path()),
            **sources.modes().env(),
            **engine.dbt_env(),
        }
        engine.before_dbt()
        warm_in_background()  # the checks' and the publish's libraries, while dbt runs
        target = project.project_dir / "target"
        # the parse of an earlier run with the same settings (partial_parse.py)
        parse_key = partial_parse.cache_key({**env, "engine": engine.name})
        partial_parse.prune_run_targets(target)  # failed steps' folders, but the newest
        run_target = partial_parse.run_target_path(target, context.run.run_id)
        partial_parse.seed(target, parse_key, run_target)
        # env_var in dbt's profile and sources keeps dbt's partial parsing, unlike --vars
        with overridden_environment(env):
            started = time.perf_counter()
            invocation = dbt.cli(_build_args(), context=context, target_path=run_target)
            try:
                events, error = drain(invocation.stream())
                finished = time.perf_counter()
                partial_parse.keep(target, parse_key, run_target)
                lineage = os.environ.get(ENV_DBT_COLUMN_LINEAGE, "1").strip() != "0"
                yield from models_then_tests(
                    context, with_table_metadata(events, invocation, engine, target, lineage)
                )
                context.log.info(
                    f"dbt ran {finished - started:.1f} s; row counts, columns and lineage "
                    f"took {time.perf_counter() - finished:.1f} s"
                )
                if error is not None:
                    raise error
                if context.selected_asset_keys and not reported_models(events):
                    raise Failure(description=NOTHING_REPORTED, allow_retries=False)
            except DagsterDbtCliRuntimeError as error:
                manifest = _artifact(invocation, "manifest.json") or _manifest()
                failure = dbt_failure(_artifact(invocation, "run_results.json"), manifest)
                if failure is None:
                    raise
                raise failure from error
            finally:
                # dagster-dbt opens dbt's adapter in this process; close its connection so
                # nothing keeps the warehouse file open.
                close_adapter_connections(invocation.adapter)
        if invocation.is_successful():
            shutil.rmtree(invocation.target_path, ignore_errors=True)

    return funnel_dbt_models

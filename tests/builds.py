"""Build the whole pipeline (ingest, definitions, dbt) through Dagster for tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dagster import (
    AssetSelection,
    Definitions,
    ExecuteInProcessResult,
    define_asset_job,
    materialize,
)

from orchestration.common_language.assets import agreed_definitions
from orchestration.common_language.load import DEFAULT_PATH
from orchestration.ingest.assets import build_ingest_assets
from orchestration.publish.assets import build_publish_assets
from orchestration.quality.checks import build_quality_checks
from orchestration.resources import (
    DefinitionsFileResource,
    LandingResource,
    PublishedResource,
    SourcesResource,
    WarehouseResource,
)
from orchestration.sample.generate import GeneratedSample, generate
from orchestration.settings import (
    ENV_DBT_UNIT_TESTS,
    SourceModes,
    overridden_environment,
)
from orchestration.transform.assets import build_dbt_assets
from orchestration.transform.dbt_resource import dbt_resource


@dataclass(frozen=True)
class Built:
    sample: GeneratedSample
    warehouse: Path
    # metadata of each published asset's materialization, by table name
    published_metadata: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # metadata of each dbt model's materialization, by asset key ("marts/dim_persons")
    dbt_metadata: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # every check evaluation of the build: (asset key, check) -> whether the materialization
    # it names as its target is that asset's materialization in the same run
    check_targets: Mapping[tuple[str, str], bool] = field(default_factory=dict)

    @property
    def published(self) -> Path:
        return published_path(self.warehouse)

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        con.execute("set TimeZone = 'UTC'")
        # the truth knows persons by email; the published marts carry none (privacy)
        con.execute(
            "create temp view persons_with_email as select persons.*, ids.email "
            "from marts.dim_persons as persons "
            "inner join restricted.dim_person_identifiers as ids using (person_id)"
        )
        for name in ("persons", "person_stages", "cycles", "opportunities", "accounts"):
            path = self.sample.truth_dir / f"{name}.csv"
            con.execute(
                f"create temp table truth_{name} as select * from read_csv(?, all_varchar = true)",
                [str(path)],
            )
        return con


def published_path(warehouse: Path) -> Path:
    return warehouse.with_name("published.duckdb")


def build_everything(
    landing: Path,
    warehouse: Path,
    definitions: Path = DEFAULT_PATH,
    sources: SourceModes | None = None,
    engine: str = "duckdb",
) -> ExecuteInProcessResult:
    """Run every asset through Dagster against the given folders, definitions and source
    modes (default: files), as the full job does: observed sources first. `engine`: where
    dbt builds, the gate checks and the publish writes (its connection settings from the
    environment, as in production)."""
    modes = sources or SourceModes()
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse), engine=engine),
        "published": PublishedResource(path=str(published_path(warehouse))),
        "landing": LandingResource(root=str(landing)),
        "definitions_file": DefinitionsFileResource(path=str(definitions)),
        "sources": SourcesResource(
            salesforce=modes.salesforce,
            hubspot=modes.hubspot,
            fivetran_database=str(modes.fivetran_database or ""),
            salesforce_schema=modes.salesforce_schema,
            hubspot_schema=modes.hubspot_schema,
        ),
        "dbt": dbt_resource(),
    }
    if not modes.uses_fivetran:
        return materialize(
            [
                *build_ingest_assets(),
                agreed_definitions,
                build_dbt_assets(),
                build_publish_assets(),
                *build_quality_checks(),
            ],
            resources=resources,
            raise_on_error=False,
        )
    defs = Definitions(
        assets=[
            *build_ingest_assets(modes=modes),
            agreed_definitions,
            build_dbt_assets(),
            build_publish_assets(),
        ],
        asset_checks=build_quality_checks(modes=modes),
        jobs=[define_asset_job("all", selection=AssetSelection.all(include_sources=True))],
        resources=resources,
    )
    return defs.resolve_job_def("all").execute_in_process(raise_on_error=False)


def published_metadata(result: ExecuteInProcessResult) -> dict[str, Mapping[str, Any]]:
    return {
        m.asset_key.path[-1]: m.metadata
        for m in result.asset_materializations_for_node("publish_marts")
    }


def dbt_metadata(result: ExecuteInProcessResult) -> dict[str, Mapping[str, Any]]:
    return {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("funnel_dbt_models")
    }


def check_targets(result: ExecuteInProcessResult) -> dict[tuple[str, str], bool]:
    materialized = {
        event.asset_key: event.event_specific_data.materialization
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }
    targets = {}
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        target = evaluation.target_materialization_data
        targets[evaluation.asset_key.to_user_string(), evaluation.check_name] = (
            target is not None
            and target.run_id == result.run_id
            and evaluation.asset_key in materialized
        )
    return targets


CHUNKED_BUILD_FROM = 3_000


class Builds:
    """Whole-pipeline builds by (seed, persons), each made once per worker and kept for the
    session, whatever order the tests that share it run in."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._made: dict[tuple[int, int], Built] = {}

    def get(self, seed: int, persons: int) -> Built:
        if (seed, persons) not in self._made:
            root = self._tmp.mktemp(f"built{seed}")
            # the larger build is made of two chunks, the way samples above CHUNK_PERSONS
            # are: the whole oracle holds for a chunked sample too
            chunk = persons // 2 if persons >= CHUNKED_BUILD_FROM else persons
            sample = generate(root / "landing", root / "truth", persons, seed, chunk_persons=chunk)
            # the shared builds run dbt's unit tests (off in production runs)
            with overridden_environment({ENV_DBT_UNIT_TESTS: "1"}):
                result = build_everything(sample.landing_dir, root / "warehouse.duckdb")
            assert result.success
            self._made[seed, persons] = Built(
                sample,
                root / "warehouse.duckdb",
                published_metadata(result),
                dbt_metadata(result),
                check_targets(result),
            )
        return self._made[seed, persons]

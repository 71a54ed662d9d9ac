"""Shared fixtures: generated samples and warehouses materialized through Dagster."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, ExecuteInProcessResult, materialize

from orchestration.settings import TELEMETRY_OFF

for _key, _value in TELEMETRY_OFF.items():
    os.environ.setdefault(_key, _value)
# dbt's unit tests (they test the SQL, not the data; off in production runs by default) run
# in the shared builds (tests/builds.py turns them on there) and in each engine's first
# build (tests/engine_builds.py). Column lineage stays on: it is cached by model SQL.
os.environ.setdefault("COMMON_FUNNEL_DBT_UNIT_TESTS", "0")

from orchestration.ingest.assets import build_ingest_assets  # noqa: E402
from orchestration.resources import LandingResource, WarehouseResource  # noqa: E402
from orchestration.sample.generate import GeneratedSample, generate  # noqa: E402
from orchestration.transform.project import prepare_manifest  # noqa: E402
from tests.builds import Builds, Built  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, in the controller, before any worker loads definitions."""
    if not hasattr(config, "workerinput"):
        prepare_manifest(only_if_changed=True)


SAMPLE_PERSONS = 800
SAMPLE_SEED = 7


@dataclass(frozen=True)
class Ingested:
    sample: GeneratedSample
    warehouse: Path
    result: ExecuteInProcessResult

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()


def ingest_assets(keys: Sequence[AssetKey] | None = None) -> list:
    return [a for a in build_ingest_assets() if keys is None or a.key in keys]


def run_ingest(
    landing: Path, warehouse: Path, keys: Sequence[AssetKey] | None = None
) -> ExecuteInProcessResult:
    """Materialize ingestion assets through Dagster against the given folders."""
    return materialize(
        ingest_assets(keys),
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "landing": LandingResource(root=str(landing)),
        },
        raise_on_error=False,
    )


def manifest(sample: GeneratedSample) -> list[dict[str, str]]:
    with (sample.truth_dir / "files.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSample:
    root = tmp_path_factory.mktemp("sample")
    return generate(root / "landing", root / "truth", SAMPLE_PERSONS, SAMPLE_SEED)


@pytest.fixture(scope="session")
def ingested(sample: GeneratedSample, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    result = run_ingest(sample.landing_dir, warehouse)
    return Ingested(sample=sample, warehouse=warehouse, result=result)


@pytest.fixture
def landing(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "landing"
    root.mkdir()
    yield root


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return Builds(tmp_path_factory)


@pytest.fixture(scope="session", params=[(7, 800), (11, 3000)], ids=["seed7-800", "seed11-3000"])
def built(request: pytest.FixtureRequest, builds: Builds) -> Built:
    """Both builds: for tests whose numbers must hold at more than one scale and seed."""
    return builds.get(*request.param)


@pytest.fixture(scope="session")
def built_small(builds: Builds) -> Built:
    """The seed 7 build alone: for tests of wiring (docs, MetricFlow), not of numbers."""
    return builds.get(7, 800)


# The modules whose tests share the session's builds (fixtures `builds`, `built`,
# `built_small`). Under xdist they form one unit of work on one worker, so each build is
# made once per run, not once per worker. Every other module is its own unit, so a
# module-scoped fixture is set up once. (xdist's own `--dist loadgroup` does nothing with
# pytest 9.2: it renames `item._nodeid`, which pytest no longer reads.)
SHARED_BUILD_MODULES = frozenset(
    f"tests/test_{name}.py"
    for name in (
        "benchmark_floor",
        "dbt_docs",
        "dbt_metadata",
        "definition_changes",
        "metricflow",
        "metrics",
        "proposals",
        "publish",
        "quality_gate",
        "quality_suites",
        "semantic_layer",
    )
)
BUILD_FIXTURES = frozenset({"builds", "built", "built_small"})


def _unit_of_work(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return "shared builds" if module in SHARED_BUILD_MODULES else module


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class SharedBuildScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit_of_work(nodeid)

    return SharedBuildScheduling(config, log)  # type: ignore[arg-type]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a build must live in one of SHARED_BUILD_MODULES."""
    strays = sorted(
        item.nodeid
        for item in items
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ()))
        and _unit_of_work(item.nodeid) != "shared builds"
    )
    if strays:
        raise pytest.UsageError(f"add their modules to SHARED_BUILD_MODULES: {strays}")

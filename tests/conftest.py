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


def run_ingest(
    landing: Path, warehouse: Path, keys: Sequence[AssetKey] | None = None
) -> ExecuteInProcessResult:
    """Materialize ingestion assets (`keys`: those raw tables only) through Dagster against
    the given folders."""
    return materialize(
        build_ingest_assets(),
        selection=list(keys) if keys is not None else None,
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


# The longest units, longest first (measured with `--durations`, clean clone, 2 workers:
# minutes each); they start first and the short ones fill the gaps at the end. The other
# units follow, most tests first (xdist's own order).
LONGEST_UNITS = (
    "tests/test_engine_spark.py",
    "shared builds",
    "tests/test_dagster_ui.py",
    "tests/test_engine_postgres.py",
    "tests/test_daily_exports.py",
    "tests/test_unchanged_runs.py",
    "tests/test_fivetran_sources.py",
)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class SharedBuildScheduling(LoadScopeScheduling):
        """Units as `_unit_of_work` says, the longest first, and a worker takes its next
        unit only when its current one is at its last test (xdist's own rule queues a
        second unit on a worker with two tests left: a long unit of few tests, like a
        whole engine build, then strands the next unit behind it while the other worker
        runs out of work)."""

        def _split_scope(self, nodeid: str) -> str:
            return _unit_of_work(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            longest = [unit for unit in LONGEST_UNITS if unit in self.workqueue]
            if longest:
                self.workqueue.move_to_end(longest[0], last=False)
            super()._assign_work_unit(node)  # type: ignore[arg-type]

        def _reschedule(self, node: object) -> None:
            # a worker holds back its last test until it knows the next (for teardown):
            # one pending test means the unit is at its end
            pending = self._pending_of(self.assigned_work.get(node, {}))  # type: ignore[arg-type]
            if self.workqueue and pending > 1:
                return
            super()._reschedule(node)  # type: ignore[arg-type]

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

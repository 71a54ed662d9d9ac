"""Builds of one generated sample on DuckDB (the reference) and on another engine.

Beside the sample, each landing zone holds hand-made cases: ties (tests/hand_made_ties.py)
every engine must break as computed by hand, a company's funnel in a quarter the
generator never writes (tests/hand_made_funnel.py), whose metrics were computed by hand,
Hanako's exports (tests/hand_made_landing.py: a touch before its contact, a deal's
history before the deal), and CRM values the definitions do not name
(tests/hand_made_crm_values.py).

The DuckDB reference of a seed is built once per test session and shared by the engine
modules, whichever xdist worker runs them (a lock file in the session's shared temp
folder), so PostgreSQL and Spark are compared with the very same build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster import ExecuteInProcessResult

from orchestration.sample.generate import generate
from orchestration.settings import ENV_DBT_UNIT_TESTS
from orchestration.settings import overridden_environment as environment
from tests.builds import build_everything, published_path
from tests.hand_made_crm_values import land_unplanned_values
from tests.hand_made_funnel import land_funnel
from tests.hand_made_landing import land_everything
from tests.hand_made_ties import land_ties

# two seeds; the generator's mess (full-width letters and digits, legal-form variants of
# company names, blanks and case in emails) is in both
ENGINE_SEEDS = (3, 5)
ENGINE_PERSONS = 150


@dataclass(frozen=True)
class Reference:
    seed: int
    landing: Path
    warehouse: Path

    @property
    def published(self) -> Path:
        return published_path(self.warehouse)


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def reference_build(tmp_path_factory: pytest.TempPathFactory, seed: int) -> Reference:
    shared = _shared_root(tmp_path_factory) / "engine-reference"
    shared.mkdir(exist_ok=True)
    root = shared / f"seed{seed}"
    with (shared / f"seed{seed}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it: wait
        if not (root / "DONE").exists():
            shutil.rmtree(root, ignore_errors=True)
            sample = generate(root / "landing", root / "truth", ENGINE_PERSONS, seed)
            land_ties(sample.landing_dir)  # hand-made, beside the sample
            land_funnel(sample.landing_dir)
            land_everything(sample.landing_dir, attendee_file="attendees_FY2026_hanako.csv")
            land_unplanned_values(sample.landing_dir)  # CRM values the definitions lack
            # DuckDB's unit tests run in the shared builds (tests/builds.py)
            with environment({ENV_DBT_UNIT_TESTS: "0"}):
                result = build_everything(sample.landing_dir, root / "warehouse.duckdb")
            assert result.success, "the DuckDB reference build failed"
            (root / "DONE").touch()
    return Reference(seed, root / "landing", root / "warehouse.duckdb")


def build_on(engine: str, reference: Reference, root: Path) -> ExecuteInProcessResult:
    """The reference's landing zone, built through Dagster on `engine`. dbt's unit tests
    do not depend on the data: they run in the first seed's build of each engine only."""
    unit_tests = "1" if reference.seed == ENGINE_SEEDS[0] else "0"
    with environment({ENV_DBT_UNIT_TESTS: unit_tests}):
        return build_everything(reference.landing, root / "warehouse.duckdb", engine=engine)


CHARTS_FAILURE = "chart funnel: no rows"


def charts_failed() -> None:
    """A publish's `before_swap` whose charts failed: the publish must be abandoned."""
    raise RuntimeError(CHARTS_FAILURE)

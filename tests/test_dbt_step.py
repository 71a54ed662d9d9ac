"""The dbt step: its command line follows COMMON_FUNNEL_DBT_UNIT_TESTS (off unless "1"),
and a dbt whose output cannot be read fails it."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, materialize

from orchestration.resources import SourcesResource, WarehouseResource
from orchestration.settings import ENV_DBT_UNIT_TESTS, ENV_SKIP_UNCHANGED, overridden_environment
from orchestration.transform.assets import _build_args, build_dbt_assets
from orchestration.transform.dbt_resource import FunnelDbtCliResource
from orchestration.transform.project import dbt_executable, dbt_project
from orchestration.transform.table_metadata import NOTHING_REPORTED
from tests.conftest import run_ingest
from tests.hand_made_landing import week_one

STAGED = AssetKey(["staging", "stg_hubspot__contacts"])


def test_unit_tests_run_only_when_switched_on(monkeypatch: pytest.MonkeyPatch):
    without = ["build", "--exclude", "resource_type:unit_test"]
    monkeypatch.delenv(ENV_DBT_UNIT_TESTS, raising=False)
    assert _build_args() == without
    monkeypatch.setenv(ENV_DBT_UNIT_TESTS, "0")
    assert _build_args() == without
    monkeypatch.setenv(ENV_DBT_UNIT_TESTS, "1")
    assert _build_args() == ["build"]


def test_a_dbt_whose_output_cannot_be_read_fails_the_step(tmp_path: Path):
    """dbt runs, but its JSON log lines arrive mangled (as Spark's progress bars once did):
    the step must fail, not succeed with nothing built while Dagster skips the gate and
    the publish."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    week_one(landing)
    assert run_ingest(landing, warehouse).success
    mangling = tmp_path / "dbt"
    mangling.write_text(f'#!/bin/sh\n"{dbt_executable()}" "$@" | sed "s/^/mangled /"\n')
    mangling.chmod(0o755)
    dbt = FunnelDbtCliResource(project_dir=dbt_project(), dbt_executable=str(mangling))
    with overridden_environment({ENV_SKIP_UNCHANGED: "0"}):
        result = materialize(
            [build_dbt_assets()],
            resources={
                "dbt": dbt,
                "warehouse": WarehouseResource(path=str(warehouse)),
                "sources": SourcesResource(),
            },
            selection=[STAGED],  # one model and its tests: the mangling is what matters
            raise_on_error=False,
        )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert any(NOTHING_REPORTED in str(e.event_specific_data.error) for e in failures)

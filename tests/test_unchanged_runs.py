"""A run with nothing new builds nothing: dbt, the checks and the publish are skipped with
the reason in the log, the published tables stay; a new landed file or changed
definitions rebuild. Hand-made landing (tests/hand_made_landing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration import cli
from orchestration.automation.nothing_new import nothing_new
from orchestration.common_language.load import DEFAULT_PATH
from orchestration.publish.store import read_log
from orchestration.settings import (
    ENV_DEFINITIONS,
    ENV_LANDING_DIR,
    ENV_WAREHOUSE,
    load_settings,
)
from tests.builds import build_everything, published_path
from tests.hand_made_landing import late_opportunity, week_one, week_two
from tests.skipped_runs import runs_and_skip_reasons

DBT_STEP = "funnel_dbt_models"
PUBLISH_STEP = "publish_marts"


def _steps(result, kind: str) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == kind}


def _cli_materialize_starts_no_run(
    tmp_path: Path, landing: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """`common-funnel materialize` with nothing new: no run, the reason printed and on
    the published assets in Dagster. Returns what it printed."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv(ENV_LANDING_DIR, str(landing))
    monkeypatch.setenv(ENV_WAREHOUSE, str(warehouse))
    assert cli.main(["materialize", "--skip-prepare"]) == 0
    runs, reasons = runs_and_skip_reasons()
    assert runs == 0
    assert len(reasons) == 1
    return reasons[0]


def test_a_run_without_new_data_skips_the_build_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    published = published_path(warehouse)
    week_one(landing)
    late_opportunity(landing)
    first = build_everything(landing, warehouse)
    assert first.success and len(read_log(published)) == 1
    assert first.asset_materializations_for_node(DBT_STEP)
    before = published.read_bytes()
    capsys.readouterr()

    again = build_everything(landing, warehouse)
    assert again.success
    assert again.asset_materializations_for_node(DBT_STEP) == []
    assert PUBLISH_STEP in _steps(again, "STEP_SKIPPED")
    assert f"Nothing changed since publish {read_log(published)[-1][0]}" in (
        capsys.readouterr().err
    )
    assert len(read_log(published)) == 1 and published.read_bytes() == before

    # the command line asks first and starts no run at all (automation/nothing_new.py)
    reason = _cli_materialize_starts_no_run(tmp_path, landing, warehouse, monkeypatch)
    assert reason.startswith(f"Nothing new since publish {read_log(published)[-1][0]}")
    assert reason in capsys.readouterr().out
    assert published.read_bytes() == before
    (landing / "salesforce" / "Lead").mkdir(parents=True, exist_ok=True)
    (landing / "salesforce" / "Lead" / "Lead_20260601.csv").write_text("Id\n", "utf-8")
    assert nothing_new(load_settings()) is None  # a new file: run
    (landing / "salesforce" / "Lead" / "Lead_20260601.csv").unlink()
    assert nothing_new(load_settings()) is not None

    week_two(landing)  # a new export landed: the run builds and publishes
    third = build_everything(landing, warehouse)
    assert third.success and third.asset_materializations_for_node(DBT_STEP)
    assert PUBLISH_STEP in _steps(third, "STEP_SUCCESS")
    assert len(read_log(published)) == 2

    # (COMMON_FUNNEL_SKIP_UNCHANGED=0 rebuilding the same data: test_dagster_ui.py's runs)
    # the definitions are an input too: a lower MQL threshold (a new version) rebuilds
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    document["mql_rule"]["threshold"] -= 5
    document["version"] = "9.9.9"
    change = {"version": "9.9.9", "date": "2026-11-30", "agreed_by": ["team:marketing"]}
    document["changelog"].insert(0, {**change, "changes": ["Lower the MQL threshold"]})
    changed = tmp_path / "funnel_definitions.yml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(ENV_DEFINITIONS, str(changed))
    assert nothing_new(load_settings()) is None  # other definitions: run
    redefined = build_everything(landing, warehouse, changed)
    assert redefined.success and redefined.asset_materializations_for_node(DBT_STEP)
    assert len(read_log(published)) == 3

"""The local instance's event log (orchestration/deploy/local_event_log.py) stores what
Dagster's own SQLite event log stores, in the same files: a run recorded through one reads
identically through the other, and another process reads it while this one keeps its
connections open."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterInstance,
    asset,
    asset_check,
    materialize,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.deploy.local_event_log import LocalEventLogStorage
from orchestration.settings import PROJECT_ROOT

LOCAL = PROJECT_ROOT / "dagster_home" / "dagster.yaml"


@asset
def upstream() -> int:
    return 1


@asset
def downstream(upstream: int) -> int:
    return upstream + 1


@asset_check(asset=downstream)
def downstream_is_two() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def _summary(instance: DagsterInstance, run_id: str) -> tuple:
    events = instance.all_logs(run_id)
    kinds = sorted(e.dagster_event_type.value for e in events if e.dagster_event_type)
    latest = instance.get_latest_materialization_event(AssetKey("downstream"))
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [downstream_is_two.check_key]
    )
    return (len(events), kinds, latest.run_id if latest else None, len(check))


def test_runs_read_the_same_through_dagsters_own_sqlite_event_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copy(LOCAL, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.event_log_storage, LocalEventLogStorage)
        runs = [
            materialize([upstream, downstream, downstream_is_two], instance=instance).run_id
            for _ in range(2)
        ]
        ours = [_summary(instance, run_id) for run_id in runs]
    assert ours[0][0] > 10 and ours[0][2] is not None

    # Dagster's own storage on the same files
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        theirs = [_summary(instance, run_id) for run_id in runs]
    assert theirs == ours
    assert theirs[1][2] == runs[1]  # the latest materialization is the second run's


def test_another_process_sees_each_event_as_it_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The run's process keeps its connections open; a reader (the UI, the daemon) in
    another process still sees every event committed."""
    shutil.copy(LOCAL, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    reader = textwrap.dedent(
        f"""
        from dagster import DagsterInstance
        with DagsterInstance.from_config({str(tmp_path)!r}) as instance:
            (run,) = instance.get_runs()
            print(run.status.value, len(instance.all_logs(run.run_id)))
        """
    )
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        result = materialize([upstream, downstream, downstream_is_two], instance=instance)
        stored = len(instance.all_logs(result.run_id))
        # while this process still holds its connections
        seen = subprocess.run(
            [sys.executable, "-c", reader], capture_output=True, text=True, check=True
        ).stdout.split()
    assert seen == ["SUCCESS", str(stored)]

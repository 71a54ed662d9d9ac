"""The warehouse run lock: runs that bypass the daemon's queue still go one at a time.

Real Dagster runs in separate processes (the way `common-funnel materialize` runs), each
materializing an asset that records when it held the warehouse."""

import fcntl
import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from dagster import AssetExecutionContext, asset, materialize

from orchestration.resources import WarehouseResource
from orchestration.run_lock import lock_path

RUN = textwrap.dedent(
    """
    import json, sys, time
    from dagster import asset, materialize
    from orchestration.resources import WarehouseResource

    warehouse, record, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])

    @asset
    def holds_the_warehouse(warehouse: WarehouseResource) -> None:
        start = time.time()
        with warehouse.connect() as con:
            con.execute("create table if not exists t (i integer)")
            con.execute("insert into t values (1)")
        time.sleep(hold)
        with open(record, "a") as f:
            f.write(json.dumps([start, time.time()]) + "\\n")

    result = materialize(
        [holds_the_warehouse],
        resources={"warehouse": WarehouseResource(path=warehouse)},
        raise_on_error=False,
    )
    sys.exit(0 if result.success else 1)
    """
)


def _start(warehouse: Path, record: Path, hold: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(warehouse), str(record), str(hold)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_runs_outside_the_queue_take_turns(tmp_path: Path):
    warehouse, record = tmp_path / "warehouse.duckdb", tmp_path / "record.jsonl"
    runs = [_start(warehouse, record, 1.5) for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
        assert "Could not set lock" not in output
    windows = sorted(json.loads(line) for line in record.read_text().splitlines())
    assert len(windows) == 3
    for (_, first_end), (second_start, _) in itertools.pairwise(windows):
        assert second_start >= first_end, windows
    assert sum("waiting for the warehouse run lock" in o for o in outputs) >= 1


def test_a_killed_run_does_not_leave_the_lock_behind(tmp_path: Path):
    warehouse, record = tmp_path / "warehouse.duckdb", tmp_path / "record.jsonl"
    stuck = _start(warehouse, record, 600)
    deadline = time.monotonic() + 120
    while "run " not in (lock_path(warehouse).read_text() if lock_path(warehouse).exists() else ""):
        assert time.monotonic() < deadline, "the first run never took the lock"
        time.sleep(0.2)
    os.kill(stuck.pid, signal.SIGKILL)
    stuck.wait(timeout=30)
    after = _start(warehouse, record, 0)
    output = after.communicate(timeout=300)[0]
    assert after.returncode == 0, output[-3000:]
    assert "waiting for the warehouse run lock" not in output
    assert len(record.read_text().splitlines()) == 1


def test_a_run_that_waits_too_long_fails_naming_the_holder(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"

    @asset
    def needs_the_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> None:
        context.log.info("never reached")

    path = lock_path(warehouse)
    handle = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.write(handle, b"run holder-123 (pid 1)")
        result = materialize(
            [needs_the_warehouse],
            resources={
                "warehouse": WarehouseResource(path=str(warehouse), run_lock_timeout_seconds=1)
            },
            raise_on_error=False,
        )
    finally:
        os.close(handle)
    assert not result.success
    failures = [e for e in result.all_events if e.is_failure]
    message = " ".join(str(e.event_specific_data) for e in failures)
    assert "holder-123" in message and str(path) in message

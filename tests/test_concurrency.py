"""Concurrency, with real processes on one Dagster instance and one warehouse:

- a scheduled, a sensor and a manual run launched at the same moment all succeed with no
  lock error: every step that opens the warehouse waits for the instance's `warehouse`
  pool (limit 1, dagster_home/dagster.yaml), across steps and across runs;
- meanwhile an analyst's process reads `published` in a loop: once the first publish
  exists it never fails and never sees half of a publish, while the other runs write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
from dagster import DagsterInstance, DagsterRunStatus

from orchestration.automation.tags import TRIGGER
from orchestration.sample.generate import generate
from orchestration.settings import PROJECT_ROOT

CLI = Path(sys.executable).with_name("common-funnel")

READER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    reads, errors, versions = 0, [], []
    while not os.path.exists(stop):
        if os.path.exists(path):
            try:
                con = duckdb.connect(path, read_only=True)
                try:
                    publish_id, counts = con.execute(
                        "select publish_id, row_counts from publish_log "
                        "order by published_at desc limit 1"
                    ).fetchone()
                    for name, expected in json.loads(counts).items():
                        got = con.execute(f"select count(*) from {name}").fetchone()[0]
                        if got != expected:
                            errors.append(f"{publish_id} {name}: {got} != {expected}")
                    if publish_id not in versions:
                        versions.append(publish_id)
                    reads += 1
                finally:
                    con.close()
            except Exception as exc:
                errors.append(repr(exc))
        time.sleep(0.05)
    print(json.dumps({"reads": reads, "errors": errors[:5], "versions": versions}))
    """
)


def test_three_runs_at_once_no_lock_errors_and_readers_never_blocked(tmp_path: Path):
    data = tmp_path / "data"
    generate(data / "landing", data / "ground_truth", 120, 5)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)):
        pass  # the instance exists before runs start (its storage is created once)
    env = {**os.environ, "DAGSTER_HOME": str(home), "COMMON_FUNNEL_DATA_DIR": str(data)}
    published, stop = data / "published.duckdb", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    runs = [
        subprocess.Popen(
            [str(CLI), "materialize", "--trigger", trigger, "--skip-prepare"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for trigger in ("schedule", "sensor", "manual")
    ]
    try:
        outputs = [run.communicate(timeout=900)[0] for run in runs]
    finally:
        stop.touch()
        report_text, reader_errors = reader.communicate(timeout=60)
    for run, output in zip(runs, outputs, strict=True):
        assert "Could not set lock" not in output
        assert run.returncode == 0, output[-3000:]
    with DagsterInstance.from_config(str(home)) as instance:
        finished = instance.get_runs()
        assert sorted(r.tags[TRIGGER] for r in finished) == ["manual", "schedule", "sensor"]
        assert all(r.status == DagsterRunStatus.SUCCESS for r in finished)
    con = duckdb.connect(str(published), read_only=True)
    try:
        log = [r[0] for r in con.execute("select publish_id from publish_log").fetchall()]
    finally:
        con.close()
    assert len(log) == 3
    assert reader.returncode == 0, reader_errors
    report = json.loads(report_text)
    assert report["errors"] == []
    assert report["reads"] > 20
    assert len(report["versions"]) >= 2  # it read across at least one swap

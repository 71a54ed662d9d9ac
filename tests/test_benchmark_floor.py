"""The benchmark's baseline does the pipeline's work, and its sampler sees every process.

The floor (orchestration/benchmark_floor.py) must build the same rows as the pipeline, or
the ratio `materialize / floor` would compare unequal work."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.benchmark_floor import run_floor
from orchestration.benchmark_pipeline import (
    Figures,
    RunFigures,
    TreeSampler,
    _clear_run_outputs,
    _median_run,
    default_repeats,
)
from orchestration.transform.project import dbt_project
from tests.builds import Built


def test_the_floor_builds_every_model_and_test_with_the_pipelines_row_counts(
    built_small: Built, tmp_path: Path
):
    result = run_floor(built_small.sample.landing_dir, built_small.warehouse, tmp_path)
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    kinds = [n["resource_type"] for n in manifest["nodes"].values()]
    assert result.models == kinds.count("model") > 60
    assert result.tests == kinds.count("test") > 80  # 92: one `primary_key` per key
    assert result.differing_row_counts == []
    assert min(result.load_seconds, result.model_seconds, result.test_seconds) > 0


def test_the_floor_notices_rows_the_pipeline_does_not_have(built_small: Built, tmp_path: Path):
    """A landing zone with one more lead record than the pipeline loaded: the comparison
    names the table whose count differs (so an equal count is evidence, not a default)."""
    landing = tmp_path / "landing"
    shutil.copytree(built_small.sample.landing_dir, landing)
    lead_file = sorted((landing / "salesforce" / "Lead").glob("*.csv"))[-1]
    with lead_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    extra = list(rows[1])
    extra[rows[0].index("Id")] = "00Qfloor000000001"
    with lead_file.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(extra)
    result = run_floor(landing, built_small.warehouse, tmp_path / "work")
    assert any(
        r.startswith("intermediate.int_person_records_unioned: ")
        for r in result.differing_row_counts
    ), result.differing_row_counts


GRANDCHILD = "import time; block = bytearray(120 * 2**20); time.sleep(1.5)"
CHILD = (
    "import subprocess, sys, time\n"
    f"child = subprocess.Popen([sys.executable, '-c', {GRANDCHILD!r}])\n"
    "while time.process_time() < 0.8: pass\n"  # CPU time, however loaded the machine
    "child.wait()\n"
)


def test_the_sampler_counts_cpu_and_memory_of_every_descendant():
    process = subprocess.Popen([sys.executable, "-c", CHILD])
    sampler = TreeSampler(process.pid)
    sampler.start()
    process.wait()
    sampler.join(timeout=10)
    # the grandchild's 120 MB were resident while the child was busy
    assert sampler.peak >= 120 * 2**20
    # the child spun for 0.8 s of CPU: at least half of it is seen
    assert sampler.cpu_total >= 0.4
    start, end = sampler.samples[0][0], sampler.samples[-1][0]
    assert sampler.cpu_between(start, end) <= sampler.cpu_total


def test_a_repeated_first_run_starts_from_the_landed_files_alone(tmp_path: Path):
    for folder in ("landing/salesforce/lead", "ground_truth", "dev_home", "quality/data_docs",
                   "charts", "dagster_home/history", "logs"):  # fmt: skip
        (tmp_path / folder).mkdir(parents=True)
    for name in ("landing/salesforce/lead/export.csv", "ground_truth/persons.csv",
                 "dagster_dev.log", "warehouse.duckdb", "warehouse.duckdb.wal",
                 "published.duckdb", "materialize.log", "charts/funnel.png"):  # fmt: skip
        (tmp_path / name).write_text("x")
    _clear_run_outputs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dagster_dev.log",
        "dev_home",
        "ground_truth",
        "landing",
    ]
    assert (tmp_path / "landing/salesforce/lead/export.csv").exists()


def test_the_median_first_run_is_kept_and_repeats_only_where_runs_are_short():
    runs = [RunFigures(Figures(wall=seconds)) for seconds in (34.0, 31.5, 40.2)]
    assert _median_run(runs).total.wall == 34.0
    assert _median_run(runs[:1]).total.wall == 34.0
    assert default_repeats(100_000, "duckdb") == 3
    assert default_repeats(1_000_000, "duckdb") == 1
    assert default_repeats(300, "postgres") == default_repeats(300, "spark") == 1

"""Ingestion benchmark: figures printed, never asserted (see README, "Benchmark").

Generates a sample at the requested scale, measures a baseline (DuckDB's plain
`read_csv` of every UTF-8 file into a table, no checks), then materializes all ingestion
assets through Dagster in a child process and reports throughput, peak memory of that
process, and the ingest time as a ratio to the baseline.
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

import duckdb

from orchestration.ingest.contract import load_contract

MB = 1024 * 1024


def _ingest_child(landing: str, warehouse: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from dagster import DagsterInstance, materialize

    from orchestration.ingest.assets import build_ingest_assets
    from orchestration.resources import LandingResource, WarehouseResource

    assets = build_ingest_assets()
    with DagsterInstance.ephemeral() as instance:
        started = time.perf_counter()
        result = materialize(
            assets,
            instance=instance,
            resources={
                "warehouse": WarehouseResource(path=warehouse),
                "landing": LandingResource(root=landing),
            },
        )
        elapsed = time.perf_counter() - started
        steps = {
            s.step_key: (s.end_time or 0) - (s.start_time or 0)
            for s in instance.get_run_step_stats(result.run_id)
        }
    queue.put((result.success, elapsed, steps))


def _wait_for(child: multiprocessing.process.BaseProcess, queue: multiprocessing.Queue) -> Any:  # type: ignore[type-arg]
    """The child's result, or None if it died without sending one."""
    while True:
        try:
            return queue.get(timeout=1)
        except Empty:
            if not child.is_alive():
                return None


def _baseline_seconds(landing: Path, scratch: Path) -> float:
    con = duckdb.connect(str(scratch / "baseline.duckdb"))
    started = time.perf_counter()
    for i, path in enumerate(sorted(landing.rglob("*.csv"))):
        table = next(t for t in load_contract() if path.is_relative_to(landing / t.folder))
        if table.encoding.startswith("utf-8"):
            con.execute(
                f"create table t{i} as select * from read_csv("
                "?, all_varchar = true, ignore_errors = true)",
                [str(path)],
            )
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def run_ingest_benchmark(persons: int, seed: int, workdir: Path | None = None) -> None:
    from orchestration.sample.generate import generate

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        sample = generate(root / "landing", root / "truth", persons, seed)
        generated = time.perf_counter() - started
        baseline = _baseline_seconds(sample.landing_dir, root)
        queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        child = multiprocessing.get_context("fork").Process(
            target=_ingest_child,
            args=(str(sample.landing_dir), str(root / "warehouse.duckdb"), queue),
        )
        child.start()
        outcome = _wait_for(child, queue)
        child.join()
        if outcome is None:
            raise SystemExit(f"the ingest process died (exit code {child.exitcode})")
        success, elapsed, steps = outcome
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
        per_table = con.execute(
            "select table_name, sum(bytes), sum(rows_read) from ingest.file_loads group by 1"
        ).fetchall()
        con.close()
    encodings = {t.qualified_name: t.encoding for t in load_contract()}
    totals: dict[str, list[float]] = {}
    for name, size, rows in per_table:
        key = "cp932" if encodings[name] == "cp932" else "utf-8"
        seconds = steps.get(name.replace(".", "__"), 0.0)
        bucket = totals.setdefault(key, [0.0, 0.0, 0.0])
        bucket[0] += size
        bucket[1] += rows
        bucket[2] += seconds
    all_bytes = sum(b[0] for b in totals.values())
    all_rows = sum(b[1] for b in totals.values())
    print(f"persons: {persons:,}  seed: {seed}  generated in {generated:.1f}s")
    print(
        f"ingest run: {'success' if success else 'FAILED'} in {elapsed:.1f}s"
        f"  ({all_rows:,.0f} rows, {all_bytes / MB:,.1f} MB)"
    )
    print(f"overall: {all_rows / elapsed:,.0f} rows/s, {all_bytes / MB / elapsed:,.1f} MB/s")
    for key, (size, rows, seconds) in sorted(totals.items()):
        if seconds:
            print(
                f"  {key:<6} files: {size / MB:,.1f} MB, {rows / seconds:,.0f} rows/s,"
                f" {size / MB / seconds:,.1f} MB/s (asset step time {seconds:.1f}s)"
            )
    utf8_seconds = totals.get("utf-8", [0, 0, 0])[2]
    if baseline and utf8_seconds:
        print(
            f"UTF-8 ingest / plain read_csv baseline: {utf8_seconds / baseline:.2f}x"
            f" (baseline {baseline:.2f}s)"
        )
    print(f"peak memory of the ingest process: {peak_mb:,.0f} MB")

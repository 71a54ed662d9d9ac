"""Pipeline benchmark: `common-funnel materialize` as a user runs it, against the floor.

Printed, never asserted (README "Benchmarks"). One invocation generates a sample, then
1. times loading the definitions (`import orchestration.definitions` in a fresh process)
   and `dagster dev` from start to a UI serving the loaded code location;
2. runs `common-funnel materialize` as a child process four times: the first run, a rerun
   with no new data, a run after a day of new and changed records
   (`orchestration/sample/next_day.py`), and a run after 29 more days of them (landed and
   ingested one day at a time by the loader itself: raw storage and dbt time after a
   month of full daily exports, against the first run's); a sampler reads the CPU time and
   resident memory of the child and all its descendants (dbt's processes included) every
   0.1 s, so every stage (Dagster steps grouped: ingest, dbt, checks, publish; "outside
   steps" is process start, manifest check, definitions load and Dagster's run
   bookkeeping) gets wall and CPU seconds and the peak memory of all processes together;
3. runs the floor (`benchmark_floor.py`: the same compiled SQL in one DuckDB connection)
   and prints materialize / floor and dbt / floor.
The first run (each time from a cleared data folder), the floor and dbt after the month
(rebuilding the same data) are timed `--repeat` times, by default 3 on DuckDB up to
200,000 persons, and the medians kept: single runs on a small machine spread by seconds.
COMMON_FUNNEL_ENGINE (and the engine's settings) choose where dbt, the checks and the
publish run; the floor is DuckDB's.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psutil

from orchestration.settings import ENV_DATA_DIR, ENV_SKIP_UNCHANGED, PROJECT_ROOT, load_settings

SAMPLE_SECONDS = 0.1
INSTANCE_CONFIG = PROJECT_ROOT / "dagster_home" / "dagster.yaml"
STAGES = ("ingest", "dbt", "checks", "publish")
INGEST_STEP = "ingest_landed_files"  # the steps' names (assets.py of ingest, transform, publish)
TRANSFORM_STEP = "funnel_dbt_models"
PUBLISH_STEP = "publish_marts"
# targets of issue 15, printed beside the figures
TARGET_DEFINITIONS_SECONDS = 3.0
TARGET_DEV_SECONDS = 15.0
TARGET_FLOOR_RATIO = 2.0
TARGET_RERUN_RATIO = 0.1
TARGET_SMALL_SECONDS, SMALL_PERSONS = 25.0, 300  # a small company's first run
TARGET_DAY_RATIO = 0.3
TARGET_GENERATOR_SECONDS, GENERATOR_PERSONS = 120.0, 1_000_000
TARGET_MONTH_RAW_RATIO = 1.5
TARGET_MONTH_DBT_RATIO = 1.2
ONE_DAY = timedelta(days=1)
MONTH_DAYS = 30
REPEATS, REPEAT_UP_TO_PERSONS = 3, 200_000
# what a first run finds in its data folder: the landed files and the generator's truth
# (and the measured `dagster dev`'s own instance and log)
KEPT_BETWEEN_FIRST_RUNS = frozenset({"landing", "ground_truth", "dev_home", "dagster_dev.log"})


def _stage_of(step_key: str) -> str:
    if step_key == TRANSFORM_STEP:
        return "dbt"
    if step_key == PUBLISH_STEP:
        return "publish"
    if step_key in (INGEST_STEP, "agreed_definitions"):
        return "ingest"
    return "checks"


class TreeSampler(threading.Thread):
    """CPU seconds (user + system, exited children included) and resident memory of a
    process and all its descendants, sampled until the process ends."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.samples: list[tuple[float, float, int]] = []  # (epoch, cpu s, rss bytes)

    def _sample(self) -> tuple[float, int] | None:
        cpu, rss = 0.0, 0
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return None
        for process in processes:
            try:
                times = process.cpu_times()
                cpu += times.user + times.system + times.children_user + times.children_system
                rss += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return cpu, rss

    def run(self) -> None:
        while True:
            sample = self._sample()
            if sample is None:
                return
            self.samples.append((time.time(), *sample))
            time.sleep(SAMPLE_SECONDS)

    def cpu_between(self, start: float, end: float) -> float:
        return self._cpu_at(end) - self._cpu_at(start)

    def _cpu_at(self, moment: float) -> float:
        before = [s for s in self.samples if s[0] <= moment]
        return before[-1][1] if before else 0.0

    def peak_between(self, start: float, end: float) -> int:
        inside = [s[2] for s in self.samples if start - SAMPLE_SECONDS <= s[0] <= end]
        return max(inside, default=0)

    @property
    def cpu_total(self) -> float:
        """Up to the last sample (the OS's own account, taken after exit, is exact)."""
        return self.samples[-1][1] if self.samples else 0.0

    @property
    def peak(self) -> int:
        return max((s[2] for s in self.samples), default=0)


@dataclass
class Figures:
    wall: float = 0.0
    cpu: float = 0.0
    peak: int = 0


@dataclass
class RunFigures:
    total: Figures
    stages: dict[str, Figures] = field(default_factory=dict)
    started_run: bool = True


def _child_env(root: Path) -> dict[str, str]:
    return {**os.environ, ENV_DATA_DIR: str(root), "DAGSTER_HOME": str(root / "dagster_home")}


def _cli() -> str:
    return str(Path(sys.executable).with_name("common-funnel"))


def _materialize(root: Path, rebuild: bool = False) -> RunFigures:
    """`common-funnel materialize` in `root`; `rebuild`: with nothing new, build again all
    the same (`--force`, COMMON_FUNNEL_SKIP_UNCHANGED=0: the same dbt work once more)."""
    from dagster import DagsterInstance

    env = _child_env(root)
    if rebuild:
        env[ENV_SKIP_UNCHANGED] = "0"
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")  # the instance users run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    log = root / "materialize.log"
    with log.open("w", encoding="utf-8") as output:
        command = [_cli(), "materialize", *(["--force"] if rebuild else [])]
        child = subprocess.Popen(command, env=env, stdout=output, stderr=output)
        sampler = TreeSampler(child.pid)
        sampler.start()
        code = child.wait()
    if code != 0:  # figures of a failed run mean nothing: say why and stop
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:])
        raise RuntimeError(f"`common-funnel materialize` failed (exit {code}):\n{tail}")
    ended = time.time()
    sampler.join(timeout=5)
    # CPU as the OS accounts it once the child (and everything it waited for) exited
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    total = Figures(ended - started, max(cpu, sampler.cpu_total), sampler.peak)
    figures = RunFigures(total, {s: Figures() for s in ("outside steps", *STAGES)})
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    with DagsterInstance.get() as instance:
        records = instance.get_run_records(limit=1)
        # `materialize` starts no run when nothing is new (automation/nothing_new.py)
        ran = bool(records) and records[0].create_timestamp.timestamp() >= started
        steps = instance.get_run_step_stats(records[0].dagster_run.run_id) if ran else []
    figures.started_run = ran
    in_steps = Figures()
    for step in steps:
        if step.start_time is None or step.end_time is None:
            continue  # skipped (nothing new): it took no time
        begin, end = step.start_time, step.end_time
        stage = figures.stages[_stage_of(step.step_key)]
        stage.wall += end - begin
        stage.cpu += sampler.cpu_between(begin, end)
        stage.peak = max(stage.peak, sampler.peak_between(begin, end))
        in_steps.wall += end - begin
        in_steps.cpu += sampler.cpu_between(begin, end)
    outside = figures.stages["outside steps"]
    outside.wall = max(0.0, total.wall - in_steps.wall)
    outside.cpu = max(0.0, total.cpu - in_steps.cpu)
    outside.peak = total.peak
    return figures


def _definitions_load_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", "import orchestration.definitions"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _dagster_dev_seconds(root: Path) -> float:
    """From starting `dagster dev` to its UI serving the loaded definitions."""
    from orchestration.dev_server import dagster_dev

    home = root / "dev_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    with dagster_dev(home, {ENV_DATA_DIR: str(root)}, root / "dagster_dev.log") as dev:
        return dev.seconds_to_serve


@dataclass
class RawStorage:
    rows: int
    megabytes: float


def _raw_storage(warehouse: Path) -> RawStorage:
    """Rows of every raw table, and the warehouse file's size after a checkpoint."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    try:
        con.execute("checkpoint")
        tables = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
            " where starts_with(schema_name, 'raw_')"
        ).fetchall()
        rows = sum(
            int((con.execute(f"select count(*) from {name}").fetchone() or (0,))[0])
            for (name,) in tables
        )
    finally:
        con.close()
    return RawStorage(rows, warehouse.stat().st_size / 2**20)


def _land_and_ingest_days(root: Path, first_day: date, days: int) -> tuple[int, int]:
    """Land `days` more daily exports (next_day.py) and ingest each as a daily run's
    ingest step would (the loader itself, without Dagster: this measures storage).
    Returns the records changed and new."""
    import duckdb

    from orchestration.ingest.contract import load_contract
    from orchestration.ingest.ingest_table import ingest_table
    from orchestration.sample.next_day import write_next_day

    changed = new = 0
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    try:
        for offset in range(days):
            written = write_next_day(root / "landing", first_day + offset * ONE_DAY)
            changed, new = changed + written.changed, new + written.new
            for table in load_contract():
                report = ingest_table(con, table, root / "landing", root / ".ingest_scratch")
                if report.failures:
                    raise RuntimeError("; ".join(report.failures))
    finally:
        con.close()
    return changed, new


def _megabytes(value: int) -> str:
    return f"{value / 2**20:,.0f}"


def _table(runs: Iterable[tuple[str, RunFigures]]) -> None:
    runs = list(runs)
    header = f"  {'stage':<16}" + "".join(f"{label:>30}" for label, _ in runs)
    print(header)
    print(f"  {'':<16}" + "".join(f"{'wall s':>10}{'cpu s':>10}{'peak MB':>10}" for _ in runs))
    for stage in ("outside steps", *STAGES):
        cells = ""
        for _, run in runs:
            f = run.stages[stage]
            cells += f"{f.wall:>10.1f}{f.cpu:>10.1f}{_megabytes(f.peak):>10}"
        print(f"  {stage:<16}{cells}")
    cells = "".join(
        f"{r.total.wall:>10.1f}{r.total.cpu:>10.1f}{_megabytes(r.total.peak):>10}" for _, r in runs
    )
    print(f"  {'materialize':<16}{cells}")


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def default_repeats(persons: int, engine: str) -> int:
    """How many first runs (and floors) to time: a few where they take seconds, so one
    slow minute of the machine does not decide a ratio; one at 1,000,000 persons, and
    one on PostgreSQL and Spark, whose first-run state lives outside the data folder."""
    return REPEATS if engine == "duckdb" and persons <= REPEAT_UP_TO_PERSONS else 1


def _clear_run_outputs(root: Path) -> None:
    """Everything a run wrote into the data folder (warehouse, published file, quality
    and chart folders, logs, the Dagster instance): the next run is a first run again."""
    for entry in root.iterdir():
        if entry.name in KEPT_BETWEEN_FIRST_RUNS:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _median_run(runs: list[RunFigures]) -> RunFigures:
    return sorted(runs, key=lambda run: run.total.wall)[(len(runs) - 1) // 2]


def _median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def _spread(seconds: Iterable[float]) -> str:
    return ", ".join(f"{s:.1f}" for s in seconds)


def run_pipeline_benchmark(
    persons: int,
    seed: int,
    workdir: Path | None = None,
    generate_only: bool = False,
    repeats: int | None = None,
) -> None:
    from orchestration.benchmark_floor import run_floor
    from orchestration.sample.generate import generate
    from orchestration.sample.next_day import write_next_day
    from orchestration.sample.world import EXPORT_AT, JST
    from orchestration.transform.project import prepare_manifest

    engine = load_settings().engine
    times = repeats or default_repeats(persons, engine)
    load = os.getloadavg()[0]
    print(
        f"bench-pipeline: {persons:,} persons (seed {seed}) on {engine}; "
        f"{os.cpu_count()} cores, load average {load:.2f} at start; first run and floor "
        f"timed {times} time(s), the median kept"
    )
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        generate(root / "landing", root / "ground_truth", persons, seed)
        generated = time.perf_counter() - started
        verdict = ""
        if persons >= GENERATOR_PERSONS:
            met = generated * GENERATOR_PERSONS / persons <= TARGET_GENERATOR_SECONDS
            verdict = (
                f" (target <= {TARGET_GENERATOR_SECONDS:.0f} s for {GENERATOR_PERSONS:,}"
                f" persons: {_verdict(met)})"
            )
        print(f"generated in {generated:.1f} s, {persons / generated:,.0f} persons/s{verdict}")
        if generate_only:
            return
        os.environ[ENV_DATA_DIR] = str(root)
        # as a deployment's build step does (`common-funnel prepare`), untimed: parsed with
        # this data folder's warehouse path, so the first run parses only what changed
        prepare_manifest()

        definitions = _definitions_load_seconds()
        serving = _dagster_dev_seconds(root)
        firsts = [_materialize(root)]
        for _ in range(times - 1):
            _clear_run_outputs(root)
            firsts.append(_materialize(root))
        first = _median_run(firsts)
        one_export = _raw_storage(root / "warehouse.duckdb")
        rerun = _materialize(root)
        warehouse = root / "warehouse.duckdb"
        on_duckdb = engine == "duckdb"  # else the models are in the engine, not the file
        floors = [run_floor(root / "landing", warehouse, root, on_duckdb) for _ in range(times)]
        floor = sorted(floors, key=lambda f: f.seconds)[(len(floors) - 1) // 2]
        next_day = EXPORT_AT.astimezone(JST).date() + ONE_DAY
        day = write_next_day(root / "landing", next_day)
        after_day = _materialize(root)
        month_changed, month_new = _land_and_ingest_days(root, next_day + ONE_DAY, MONTH_DAYS - 1)
        after_month = _materialize(root)
        month_export = _raw_storage(root / "warehouse.duckdb")
        # dbt after the month, timed as often as the first run: the same data rebuilt
        month_dbts = [after_month.stages["dbt"].wall]
        for _ in range(times - 1):
            month_dbts.append(_materialize(root, rebuild=True).stages["dbt"].wall)

    print(
        f"definitions load: {definitions:.1f} s "
        f"(target <= {TARGET_DEFINITIONS_SECONDS:.0f} s: "
        f"{_verdict(definitions <= TARGET_DEFINITIONS_SECONDS)})"
    )
    print(
        f"dagster dev serving: {serving:.1f} s "
        f"(target <= {TARGET_DEV_SECONDS:.0f} s: {_verdict(serving <= TARGET_DEV_SECONDS)})"
    )
    print(
        f"a day later: {len(day.files)} new exports, {day.changed:,} changed and "
        f"{day.new:,} new records (orchestration/sample/next_day.py)"
    )
    runs = [
        ("first run", first),
        ("rerun, no new data", rerun),
        ("after a day", after_day),
        (f"after {MONTH_DAYS} days", after_month),
    ]
    _table(runs)
    if len(firsts) > 1:
        print(
            f"  first run: the median of {len(firsts)} first runs, each in a cleared data "
            f"folder (materialize s: {_spread(r.total.wall for r in firsts)})"
        )
    for label, run in runs:
        if not run.started_run:
            print(f"  the {label}: nothing new, `materialize` started no Dagster run")
    same = (
        f"not compared (the models are in {engine})"
        if not on_duckdb
        else "equal"
        if not floor.differing_row_counts
        else "DIFFERENT: " + ", ".join(floor.differing_row_counts)
    )
    print(
        f"floor (DuckDB alone): load {floor.load_seconds:.1f} s, {floor.models} models "
        f"{floor.model_seconds:.1f} s, {floor.tests} tests {floor.test_seconds:.1f} s = "
        f"{floor.seconds:.1f} s wall, {floor.cpu_seconds:.1f} s cpu; row counts {same}"
    )
    if len(floors) > 1:
        print(f"  floor: the median of {len(floors)} ({_spread(f.seconds for f in floors)} s)")
    ratio = first.total.wall / floor.seconds
    first_dbt = _median(r.stages["dbt"].wall for r in firsts)
    dbt_ratio = first_dbt / floor.seconds
    print(
        f"materialize / floor = {ratio:.2f}x "
        f"(target <= {TARGET_FLOOR_RATIO:.1f}x: {_verdict(ratio <= TARGET_FLOOR_RATIO)})"
    )
    print(f"dbt / floor = {dbt_ratio:.2f}x")
    if persons <= SMALL_PERSONS:
        small = first.total.wall <= TARGET_SMALL_SECONDS
        print(
            f"first run = {first.total.wall:.1f} s (target <= {TARGET_SMALL_SECONDS:.0f} s at "
            f"{SMALL_PERSONS} persons: {_verdict(small)})"
        )
    rerun_ratio = rerun.total.wall / first.total.wall
    print(
        f"rerun / first run = {rerun_ratio:.2f} "
        f"(target <= {TARGET_RERUN_RATIO}: {_verdict(rerun_ratio <= TARGET_RERUN_RATIO)})"
    )
    day_ratio = after_day.total.wall / first.total.wall
    print(
        f"after a day / first run = {day_ratio:.2f} "
        f"(target <= {TARGET_DAY_RATIO} at 100k: {_verdict(day_ratio <= TARGET_DAY_RATIO)})"
    )
    raw_ratio = month_export.rows / one_export.rows
    print(
        f"{MONTH_DAYS} daily full exports ({day.changed + month_changed:,} changed and "
        f"{day.new + month_new:,} new records in all): raw {month_export.rows:,} rows vs "
        f"{one_export.rows:,} after the first run = {raw_ratio:.2f}x "
        f"(target <= {TARGET_MONTH_RAW_RATIO}: {_verdict(raw_ratio <= TARGET_MONTH_RAW_RATIO)});"
        f" warehouse file {month_export.megabytes:,.0f} MB vs {one_export.megabytes:,.0f} MB"
    )
    if first_dbt:
        month_dbt = _median(month_dbts) / first_dbt
        if len(month_dbts) > 1:
            print(
                f"  dbt after {MONTH_DAYS} days: the median of that run and {len(month_dbts) - 1}"
                f" rebuilds of the same data ({_spread(month_dbts)} s)"
            )
        print(
            f"dbt after {MONTH_DAYS} days / first run = {month_dbt:.2f} "
            f"(target <= {TARGET_MONTH_DBT_RATIO}: "
            f"{_verdict(month_dbt <= TARGET_MONTH_DBT_RATIO)})"
        )
    checks, transform = first.stages["checks"].wall, first.stages["dbt"].wall
    if transform:
        print(f"checks / dbt = {checks / transform:.2f} (target <= 0.20 at 100k persons)")

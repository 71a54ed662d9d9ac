"""`common-funnel`: generate sample data, run the pipeline, benchmark, document."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from orchestration.settings import apply_process_defaults, load_settings

DEFAULT_PERSONS = 3_000
DEFAULT_SEED = 42


def _generate(persons: int, seed: int) -> None:
    from orchestration.sample.generate import generate

    settings = load_settings()
    sample = generate(settings.landing_dir, settings.ground_truth_dir, persons, seed)
    print(
        f"Generated {sample.records:,} records in {sample.files} files for {persons:,} persons"
        f" (seed {seed}) into {sample.landing_dir}"
    )


def _prepare(only_if_changed: bool = True) -> None:
    from orchestration.transform.project import prepare_manifest

    print(f"dbt manifest prepared: {prepare_manifest(only_if_changed=only_if_changed)}")


def _materialize(trigger: str = "manual", prepare: bool = True, force: bool = False) -> bool:
    if prepare:
        _prepare()
    if not force and _nothing_new():
        return True
    from dagster import DagsterInstance

    from orchestration import progress
    from orchestration.automation.tags import run_tags
    from orchestration.definitions import FULL_JOB_NAME, defs
    from orchestration.progress import quiet_run_config

    job = defs.resolve_job_def(FULL_JOB_NAME)
    log_path = load_settings().data_dir / "logs" / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    print(f"Running {FULL_JOB_NAME} (Dagster's full log: {log_path})")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    progress.TERMINAL = sys.stdout
    with (
        DagsterInstance.get() as instance,
        log_path.open("a", encoding="utf-8") as step_output,
        contextlib.redirect_stdout(step_output),  # dbt's output, into the run's log file
    ):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=run_tags(trigger, "common-funnel " + " ".join(sys.argv[1:2])),
            run_config=quiet_run_config(log_path),
        )
    progress.TERMINAL = None
    outcome = "success" if result.success else "FAILED (see the FAIL lines above and the log)"
    print(f"Dagster run {result.run_id}: {outcome}")
    return result.success


def _nothing_new() -> bool:
    """Nothing landed or changed since the last publish: say so (here and in the Dagster
    UI) instead of starting a run (orchestration/automation/nothing_new.py)."""
    from orchestration.automation.nothing_new import nothing_new, record_skip

    settings = load_settings()
    reason = nothing_new(settings)
    if reason is None:
        return False
    print(reason)
    record_skip(settings, reason)
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    _generate(args.persons, args.seed)
    ok = _materialize()
    from orchestration.summary import engine_published_summary, warehouse_summary

    settings = load_settings()
    print(warehouse_summary(settings.warehouse_path))
    print()
    print(engine_published_summary(settings.engine, settings.warehouse_path, settings.published))
    print("\nOpen the Dagster UI: DAGSTER_HOME=$PWD/dagster_home .venv/bin/dagster dev")
    return 0 if ok else 1


def cmd_generate(args: argparse.Namespace) -> int:
    _generate(args.persons, args.seed)
    if args.shape == "fivetran":
        from orchestration.sample.fivetran_shape import write_fivetran_database

        settings = load_settings()
        target = Path(args.fivetran_database or settings.data_dir / "fivetran.duckdb")
        written = write_fivetran_database(settings.landing_dir, target, args.tz_aware)
        print(
            f"Wrote {sum(written.tables.values()):,} rows in {len(written.tables)} Fivetran-shaped"
            f" tables to {written.path}. To build from it:\n"
            f"  export COMMON_FUNNEL_SALESFORCE_SOURCE=fivetran COMMON_FUNNEL_HUBSPOT_SOURCE="
            f"fivetran COMMON_FUNNEL_FIVETRAN_DATABASE={written.path}"
        )
    return 0


def cmd_materialize(args: argparse.Namespace) -> int:
    ok = _materialize(args.trigger, prepare=not args.skip_prepare, force=args.force)
    return 0 if ok else 1


def cmd_prepare(_: argparse.Namespace) -> int:
    _prepare(only_if_changed=False)
    return 0


def cmd_summary(_: argparse.Namespace) -> int:
    from orchestration.summary import engine_published_summary, warehouse_summary

    settings = load_settings()
    print(warehouse_summary(settings.warehouse_path))
    print()
    print(engine_published_summary(settings.engine, settings.warehouse_path, settings.published))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from orchestration.benchmark import run_ingest_benchmark

    run_ingest_benchmark(args.persons, args.seed, Path(args.workdir) if args.workdir else None)
    return 0


def cmd_bench_pipeline(args: argparse.Namespace) -> int:
    from orchestration.benchmark_pipeline import run_pipeline_benchmark

    workdir = Path(args.workdir) if args.workdir else None
    run_pipeline_benchmark(
        args.persons, args.seed, workdir, generate_only=args.generate_only, repeats=args.repeat
    )
    return 0


def cmd_contract_doc(_: argparse.Namespace) -> int:
    from orchestration.ingest.contract_doc import CONTRACT_DOC_PATH, render_contract_doc

    CONTRACT_DOC_PATH.write_text(render_contract_doc(), encoding="utf-8")
    print(f"Wrote {CONTRACT_DOC_PATH}")
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    from orchestration.proposals.command import propose

    proposed = Path(args.proposed) if args.proposed else None
    return propose(load_settings(), proposed, args.base, rules_only=args.rules_only)


def cmd_accept_volume_change(args: argparse.Namespace) -> int:
    from orchestration.publish.store import published_tables
    from orchestration.quality.acceptances import accept

    settings = load_settings()
    published = settings.published
    known = set(published_tables(published)) if published.exists() else set()
    if known and args.table not in known:
        print(f"{args.table}: not a published table ({', '.join(sorted(known))})")
        return 2
    from orchestration.resources import PublishedResource

    quality_dir = PublishedResource(path=str(published)).quality_dir()
    entry = accept(quality_dir, args.table, args.by, args.reason)
    print(
        f"Accepted a volume change of {entry.table} by {entry.accepted_by} ({entry.reason}). "
        "The next run does not judge its row volume; its publish records this in publish_log."
    )
    return 0


def cmd_expectations(_: argparse.Namespace) -> int:
    from orchestration.common_language.load import load_definitions
    from orchestration.quality.suites import SUITES_DIR, build_suites, write_suites

    loaded = load_definitions(load_settings().definitions_path)
    for stale in SUITES_DIR.glob("*.json"):
        stale.unlink()
    written = write_suites(build_suites(loaded.definitions), loaded.version)
    print(f"Wrote {len(written)} suites to {SUITES_DIR} (definitions {loaded.version})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="common-funnel", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler, text in (
        ("demo", cmd_demo, "generate sample data, materialize everything, summarize"),
        ("generate", cmd_generate, "write the sample landing zone and ground truth"),
        ("bench", cmd_bench, "benchmark ingestion at a given scale"),
        ("bench-pipeline", cmd_bench_pipeline, "time each stage of a full run at a scale"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--persons", type=int, default=DEFAULT_PERSONS)
        command.add_argument("--seed", type=int, default=DEFAULT_SEED)
        command.set_defaults(handler=handler)
        if name.startswith("bench"):
            command.add_argument("--workdir", help="folder for data (default: a temp folder)")
        if name == "bench-pipeline":
            command.add_argument(
                "--generate-only",
                action="store_true",
                help="time the sample generator alone (its target is at 1,000,000 persons)",
            )
            command.add_argument(
                "--repeat",
                type=int,
                choices=range(1, 10),
                metavar="N",
                help="time the first run and the floor N times and keep the medians (default:"
                " 3 on DuckDB up to 200,000 persons, else 1)",
            )
        if name == "generate":
            command.add_argument(
                "--shape",
                choices=("files", "fivetran"),
                default="files",
                help="fivetran: also write the Salesforce and HubSpot data as Fivetran lands "
                "it, in a DuckDB file (same journeys, same ground truth)",
            )
            command.add_argument(
                "--fivetran-database",
                help="the Fivetran-shaped file (default: fivetran.duckdb in the data folder)",
            )
            command.add_argument(
                "--tz-aware",
                action="store_true",
                help="land timestamps as TIMESTAMPTZ, as a tz-aware destination does",
            )
    propose = commands.add_parser(
        "propose",
        help="validate a proposed definitions file and show what it changes, as rules",
    )
    propose.add_argument(
        "proposed",
        nargs="?",
        help="the proposed file (with --base: default the working tree's definitions file)",
    )
    propose.add_argument(
        "--base",
        metavar="GIT_REF",
        help="compare with the definitions file as committed at this git ref",
    )
    propose.add_argument(
        "--rules-only",
        action="store_true",
        help="only validate and show the rule changes (no sandbox build)",
    )
    propose.set_defaults(handler=cmd_propose)
    acceptance = commands.add_parser(
        "accept-volume-change",
        help="accept, once, a published table's row volume moving beyond the agreed change",
    )
    acceptance.add_argument("table", help="the published table, e.g. dim_persons")
    acceptance.add_argument("--by", required=True, help="who accepts it (name or team)")
    acceptance.add_argument("--reason", required=True, help="why the jump is real")
    acceptance.set_defaults(handler=cmd_accept_volume_change)
    materialize = commands.add_parser(
        "materialize", help="run the full materialization job through Dagster"
    )
    materialize.add_argument(
        "--trigger", default="manual", choices=["manual", "schedule", "sensor"],
        help="the run's common_funnel/trigger tag",
    )  # fmt: skip
    materialize.add_argument(
        "--skip-prepare", action="store_true", help="use the dbt manifest as it is"
    )
    materialize.add_argument(
        "--force",
        action="store_true",
        help="start the run even when nothing landed or changed since the last publish",
    )
    materialize.set_defaults(handler=cmd_materialize)
    for name, handler, text in (
        ("prepare", cmd_prepare, "parse the dbt project so definitions can load"),
        ("summary", cmd_summary, "print what the warehouse holds"),
        ("contract-doc", cmd_contract_doc, "regenerate landing_contract.md from the contract"),
        ("expectations", cmd_expectations, "regenerate the GE suites from the definitions file"),
    ):
        commands.add_parser(name, help=text).set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    apply_process_defaults()
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


def entry() -> None:
    """The `common-funnel` command: `main()`, then an exit without Python's teardown.

    Tearing down the interpreter after a run (freeing every module and object of Dagster,
    dbt-core and Great Expectations one by one) takes about 1.3 s, a second of every
    `materialize` for nothing: once the command is done, threads that are not daemons are
    joined, the `atexit` functions run (logging's flush and close, temporary folders'
    clean-up, file locks' release) and output is flushed, then the process ends at once
    with the command's exit code (`finish`). An exception leaves through Python's usual
    exit, traceback and all. Tests call `main()`.
    """
    finish(main())


def finish(code: int) -> None:
    """End the process as Python's own exit does, without its teardown: the threading
    module's exit hooks (idle thread pools are told to stop) and the wait for threads that
    are not daemons (`threading._shutdown`, CPython's first exit step), then the `atexit`
    functions, then flushed output and `os._exit`."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()

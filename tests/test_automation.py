"""Automation: the daily schedule, the landing sensor, retries and run tags."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dagster import DagsterInstance, build_schedule_context, build_sensor_context

from orchestration.automation.landing_sensor import build_landing_sensor
from orchestration.automation.schedules import daily_schedule
from orchestration.automation.tags import REASON, TRIGGER
from orchestration.definitions import FULL_JOB_NAME, defs
from orchestration.resources import LandingResource, SourcesResource
from orchestration.sample.generate import GeneratedSample
from orchestration.settings import load_settings


def test_the_daily_schedule_runs_everything_at_six_in_tokyo_by_default():
    schedule = defs.resolve_schedule_def("daily_full_materialization")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "Asia/Tokyo")
    assert schedule.job_name == FULL_JOB_NAME
    with build_schedule_context() as context:
        request = schedule.evaluate_tick(context).run_requests[0]
    assert request.tags[TRIGGER] == "schedule" and "Asia/Tokyo" in request.tags[REASON]


def test_the_schedule_time_comes_from_the_settings():
    settings = load_settings(
        {
            "COMMON_FUNNEL_SCHEDULE_CRON": "30 21 * * 1-5",
            "COMMON_FUNNEL_SCHEDULE_TIMEZONE": "Europe/Berlin",
        }
    )
    schedule = daily_schedule(settings, FULL_JOB_NAME)
    assert (schedule.cron_schedule, schedule.execution_timezone) == (
        "30 21 * * 1-5",
        "Europe/Berlin",
    )


def _tick(sensor, root: Path, cursor: str | None, salesforce: str = "files"):
    sources = SourcesResource(salesforce=salesforce, fivetran_database=str(root / "ft.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance,
            cursor=cursor,
            resources={"landing": LandingResource(root=str(root)), "sources": sources},
        )
        return sensor.evaluate_tick(context)


def test_in_fivetran_mode_a_landed_export_of_that_system_starts_nothing(
    sample: GeneratedSample, tmp_path: Path
):
    sensor = build_landing_sensor(FULL_JOB_NAME)
    root = tmp_path / "landing"
    export = sorted((sample.landing_dir / "salesforce" / "Lead").glob("*.csv"))[0]
    target = root / export.relative_to(sample.landing_dir)
    target.parent.mkdir(parents=True)
    target.write_bytes(export.read_bytes())
    assert len(_tick(sensor, root, None, salesforce="fivetran").run_requests) == 0
    assert len(_tick(sensor, root, None, salesforce="files").run_requests) == 1


def test_the_landing_sensor_starts_one_run_per_new_file_content(
    sample: GeneratedSample, tmp_path: Path
):
    sensor = build_landing_sensor(FULL_JOB_NAME)
    root = tmp_path / "landing"
    files = sorted(sample.landing_dir.rglob("*.csv"))
    first, second = files[0], files[1]
    for path in (first,):
        target = root / path.relative_to(sample.landing_dir)
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)

    tick = _tick(sensor, root, None)
    assert len(tick.run_requests) == 1
    request = tick.run_requests[0]
    assert request.run_key.startswith("landing-") and request.tags[TRIGGER] == "sensor"
    assert first.name in request.tags[REASON]

    # nothing new: no run; the same content under another name or touched: no run
    assert _tick(sensor, root, tick.cursor).run_requests == []
    copy = root / first.relative_to(sample.landing_dir).with_name("copy_" + first.name)
    shutil.copy(first, copy)
    os.utime(root / first.relative_to(sample.landing_dir))
    again = _tick(sensor, root, tick.cursor)
    assert again.run_requests == [] and "no new files" in (again.skip_message or "")
    # a file no contract table loads starts nothing either
    stray = root / "unknown_system" / "export.csv"
    stray.parent.mkdir()
    stray.write_text("id,name\n1,x\n", encoding="utf-8")
    assert _tick(sensor, root, again.cursor).run_requests == []

    # a new file: a new run with another key
    target = root / second.relative_to(sample.landing_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(second, target)
    later = _tick(sensor, root, again.cursor)
    assert len(later.run_requests) == 1
    assert later.run_requests[0].run_key != request.run_key
    assert second.name in later.run_requests[0].tags[REASON]


def test_an_empty_or_missing_landing_folder_starts_nothing(tmp_path: Path):
    sensor = build_landing_sensor(FULL_JOB_NAME)
    assert _tick(sensor, tmp_path / "absent", None).run_requests == []


def test_the_job_retries_transient_errors():
    job = defs.resolve_job_def(FULL_JOB_NAME)
    policy = job.op_retry_policy
    assert policy is not None and policy.max_retries == 2


def test_source_freshness_follows_the_definitions_and_a_broken_file_does_not_break_loading(
    tmp_path: Path,
):
    from datetime import timedelta

    from orchestration.automation.freshness import sources_policy
    from orchestration.common_language.load import DEFAULT_PATH, load_definitions

    hours = load_definitions(DEFAULT_PATH).definitions.quality.source_freshness_hours
    policy = sources_policy(DEFAULT_PATH)
    assert policy is not None and policy.fail_window.to_timedelta() == timedelta(hours=hours)
    broken = tmp_path / "broken.yml"
    broken.write_text("version: [not, a, version]\n", encoding="utf-8")
    assert sources_policy(broken) is None

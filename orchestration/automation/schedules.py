"""The daily full materialization, at the time and in the time zone from Settings."""

from __future__ import annotations

from dagster import ScheduleDefinition

from orchestration.automation.tags import run_tags
from orchestration.settings import Settings


def daily_schedule(settings: Settings, job_name: str) -> ScheduleDefinition:
    return ScheduleDefinition(
        name="daily_full_materialization",
        job_name=job_name,
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.schedule_timezone,
        tags=run_tags(
            "schedule", f"daily at {settings.schedule_cron} {settings.schedule_timezone}"
        ),
        description="Everything, from the landed files to the published tables, once a day "
        "(COMMON_FUNNEL_SCHEDULE_CRON / COMMON_FUNNEL_SCHEDULE_TIMEZONE).",
    )

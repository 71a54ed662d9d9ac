"""How fresh the sources and the published tables must be (Dagster freshness policies).

Sources: the freshness the definitions file agreed (`quality.source_freshness_hours`) is
the fail window, two thirds of it the warning. Published tables: the daily schedule
refreshes them, so they warn after 26 hours and fail after 50 (one missed day).
"""

from __future__ import annotations

from datetime import timedelta

from dagster import FreshnessPolicy

from orchestration.common_language.load import load_definitions
from orchestration.settings import load_settings

PUBLISHED = FreshnessPolicy.time_window(
    fail_window=timedelta(hours=50), warn_window=timedelta(hours=26)
)


def sources_policy() -> FreshnessPolicy:
    hours = load_definitions(load_settings().definitions_path).definitions.quality
    fail = timedelta(hours=hours.source_freshness_hours)
    return FreshnessPolicy.time_window(fail_window=fail, warn_window=fail * 2 / 3)

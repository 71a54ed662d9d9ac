"""How fresh the sources and the published tables must be (Dagster freshness policies).

Sources: the freshness the definitions file agreed (`quality.source_freshness_hours`) is
the fail window, two thirds of it the warning. Published tables: the daily schedule
refreshes them, so they warn after 26 hours and fail after 50 (one missed day).

Definitions load must not depend on the definitions file being valid: a broken file is
reported by the `agreed_definitions` asset with the key and the problem, not by a code
location that fails to load. So a file that does not load gives sources no policy here.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from dagster import FreshnessPolicy

from orchestration.common_language.load import DefinitionsError, load_definitions

PUBLISHED = FreshnessPolicy.time_window(
    fail_window=timedelta(hours=50), warn_window=timedelta(hours=26)
)


def sources_policy(definitions_path: Path) -> FreshnessPolicy | None:
    try:
        quality = load_definitions(definitions_path).definitions.quality
    except DefinitionsError as error:
        logging.getLogger(__name__).warning(f"sources get no freshness policy: {error}")
        return None
    fail = timedelta(hours=quality.source_freshness_hours)
    return FreshnessPolicy.time_window(fail_window=fail, warn_window=fail * 2 / 3)

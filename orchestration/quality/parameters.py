"""Suite parameters at run time: thresholds from the definitions file, row-volume bounds
from the previous publish."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from orchestration.common_language.model import FunnelDefinitions


def suite_parameters(
    definitions: FunnelDefinitions,
    suite: str,
    previous_rows: Mapping[str, int],
    now: datetime,
) -> dict[str, Any]:
    """`previous_rows`: row counts of the last publish, by table name (empty at first)."""
    change = definitions.quality.row_count_max_change
    hours = definitions.quality.source_freshness_hours
    previous = previous_rows.get(suite.split(".", 1)[1])
    return {
        "sla_hours": definitions.acceptance.sla_hours,
        "classified_lost_min_share": 1 - definitions.lost_reasons.max_unclassified_share,
        # raw tables keep `_loaded_at` as a naive UTC timestamp
        "fresh_after": (now.astimezone(UTC) - timedelta(hours=hours)).replace(tzinfo=None),
        "min_rows": 0 if previous is None else math.floor(previous * (1 - change)),
        "max_rows": None if previous is None else math.ceil(previous * (1 + change)),
    }

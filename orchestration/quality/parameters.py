"""Suite parameters at run time: thresholds from the definitions file, row-volume bounds
from the previous publish of the same definitions version."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from orchestration.common_language.model import FunnelDefinitions


@dataclass(frozen=True)
class Baseline:
    """What a table's row volume is compared with: the last publish of the same
    definitions version (None at a first publish), and an open acceptance, if any."""

    rows: int | None = None
    publish_id: str | None = None
    published_at: str | None = None
    accepted_by: str | None = None
    reason: str | None = None

    def describe(self, version: str) -> str:
        if self.accepted_by is not None:
            return f"volume change accepted by {self.accepted_by} ({self.reason}): not judged"
        if self.rows is None:
            return f"no earlier publish of definitions {version}: not judged"
        return f"{self.rows} rows in publish {self.publish_id} at {self.published_at}"


def row_bounds(definitions: FunnelDefinitions, baseline: Baseline) -> tuple[int, int | None]:
    """Allowed rows: the baseline plus or minus the larger of the relative change and the
    absolute allowance, so a small table may grow by a few rows and a large one by a share.
    Not judged (0, None) at a first publish or under an accepted change."""
    if baseline.rows is None or baseline.accepted_by is not None:
        return 0, None
    quality = definitions.quality
    allowed = max(baseline.rows * quality.row_count_max_change, quality.row_count_min_allowance)
    return max(0, math.floor(baseline.rows - allowed)), math.ceil(baseline.rows + allowed)


def suite_parameters(
    definitions: FunnelDefinitions,
    suite: str,
    baselines: Mapping[str, Baseline],
    now: datetime,
) -> dict[str, Any]:
    """`baselines`: by table name; a table without one is not judged."""
    hours = definitions.quality.source_freshness_hours
    low, high = row_bounds(definitions, baselines.get(suite.split(".", 1)[1], Baseline()))
    return {
        "sla_hours": definitions.acceptance.sla_hours,
        "classified_lost_min_share": 1 - definitions.lost_reasons.max_unclassified_share,
        # raw tables keep `_loaded_at` as a naive UTC timestamp
        "fresh_after": (now.astimezone(UTC) - timedelta(hours=hours)).replace(tzinfo=None),
        "min_rows": low,
        "max_rows": high,
    }


def allowed_text(expectation: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """What the expectation allows, with its parameters filled in."""

    def value(key: str) -> Any:
        raw = expectation.get("kwargs", {}).get(key)
        if isinstance(raw, dict) and "$PARAMETER" in raw:
            return parameters.get(raw["$PARAMETER"])
        return raw

    kwargs = expectation.get("kwargs", {})
    if "min_value" in kwargs or "max_value" in kwargs:
        low, high = value("min_value"), value("max_value")
        return f"{'-inf' if low is None else low} to {'no limit' if high is None else high}"
    if "value_set" in kwargs:
        return "one of " + ", ".join(map(str, value("value_set") or []))
    if expectation.get("type") == "unexpected_rows_expectation":
        return "no violating row"
    return "no unexpected value"

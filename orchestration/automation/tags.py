"""Run tags that say why a run ran; the UI filters runs by them."""

from __future__ import annotations

TRIGGER = "common_funnel/trigger"
REASON = "common_funnel/reason"


def run_tags(trigger: str, reason: str) -> dict[str, str]:
    """trigger: schedule, sensor or manual."""
    return {TRIGGER: trigger, REASON: reason}

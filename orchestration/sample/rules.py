"""The agreed rules as the generator applies them to its simulated truth.

This is the generator's own, independent statement of the default definitions (the MQL
rule, what counts as an inquiry and as a response). The pipeline reads the definitions
file instead; tests compare the two, so any disagreement shows up as a difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class TruthRules:
    intent_weights: dict[str, int] = field(
        default_factory=lambda: {
            "document_request": 30,
            "demo_request": 100,
            "webinar_registration": 10,
            "webinar_attendance": 25,
            "business_card": 15,
            "content_download": 15,
            "email_click": 5,
            "email_open": 0,
            "email_send": 0,
        }
    )
    seniority_points: dict[str, int] = field(
        default_factory=lambda: {"staff": 0, "manager": 10, "director": 20, "executive": 20}
    )
    fit_industries: frozenset[str] = frozenset(
        {
            "manufacturing",
            "it_software",
            "finance",
            "retail",
            "logistics",
            "healthcare",
            "construction",
        }
    )
    fit_size_bands: frozenset[str] = frozenset({"50-299", "300-999", "1000+"})
    mql_threshold: int = 60
    lookback: timedelta = timedelta(days=90)
    # hand-raisers go straight to sales whatever their fit or score
    direct_to_sales: frozenset[str] = frozenset({"demo_request"})
    inquiry_touches: frozenset[str] = frozenset(
        {
            "document_request",
            "demo_request",
            "webinar_registration",
            "webinar_attendance",
            "business_card",
            "content_download",
        }
    )
    response_touches: frozenset[str] = frozenset(
        {
            "email_click",
            "document_request",
            "demo_request",
            "webinar_registration",
            "webinar_attendance",
            "business_card",
            "content_download",
        }
    )
    acceptance_sla: timedelta = timedelta(hours=48)

    def is_fit(self, industry: str, size_band: str) -> bool:
        return industry in self.fit_industries and size_band in self.fit_size_bands

"""The shape of the definitions file, and every rule a valid file obeys.

Each model forbids unknown keys, so a typo in a key is an error rather than a silently
ignored rule. Cross-references (a fit industry that is not an industry, a transition to an
undefined stage, a source mapped to an unknown touch type) are checked on the whole file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

REQUIRED_STAGES = ("inquiry", "mql", "sal", "sql", "won", "lost", "recycled", "disqualified")
Code = str
Team = Literal["team:marketing", "team:sales", "team:data"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class ChangelogEntry(Strict):
    version: str
    date: dt.date
    agreed_by: list[Team] = Field(min_length=1)
    changes: list[str] = Field(min_length=1)


class Calendar(Strict):
    timezone: str
    fiscal_year_start_month: int = Field(ge=1, le=12)

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value


class Stage(Strict):
    code: Code = Field(pattern=r"^[a-z][a-z_]*$")
    label_en: str = Field(min_length=1)
    label_ja: str = Field(min_length=1)
    owner: Team
    entry_rule: str = Field(min_length=1)


class Transition(Strict):
    from_: Code = Field(alias="from")
    to: Code
    path: Literal["marketing", "direct_to_sales"] | None = None


class TouchType(Strict):
    code: Code = Field(pattern=r"^[a-z][a-z_]*$")
    label_en: str = Field(min_length=1)
    label_ja: str = Field(min_length=1)
    channel: Literal["web_form", "webinar", "trade_show", "email"]
    intent: Literal["hand_raise", "high", "medium", "low", "none"]
    weight: int = Field(ge=0, le=1000)
    counts_as_inquiry: bool
    counts_as_response: bool
    direct_to_sales: bool = False
    person_action: bool = True  # False for what the company does to a person (a send)


class FormRule(Strict):
    """Which touch a form stands for: by its id, a substring of its name (matched on the
    normalized name: width-folded, lowercase) or the form type HubSpot gives it."""

    form_id: str | None = Field(default=None, min_length=1)
    name_contains: str | None = Field(default=None, min_length=1)
    form_type: str | None = Field(default=None, min_length=1)
    touch_type: Code

    @model_validator(mode="after")
    def one_match(self) -> FormRule:
        given = [k for k in ("form_id", "name_contains", "form_type") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of form_id, name_contains, form_type")
        return self

    @property
    def match_on(self) -> str:
        return next(k for k in ("form_id", "name_contains", "form_type") if getattr(self, k))

    @property
    def value(self) -> str:
        return str(getattr(self, self.match_on))


class NotTouches(Strict):
    """Source values both teams agreed are no touch (not reported as unmapped)."""

    email_event_types: list[str] = Field(default_factory=list)
    attendance_statuses: list[str] = Field(default_factory=list)


class TouchSources(Strict):
    forms: list[FormRule] = Field(min_length=1)  # the first rule that matches a form wins
    email_event_types: dict[str, Code] = Field(min_length=1)
    attendance_statuses: dict[str, Code] = Field(min_length=1)
    business_card: Code
    not_touches: NotTouches = NotTouches()


class Industry(Strict):
    code: Code
    label_en: str
    label_ja: str


class SizeBand(Strict):
    code: str
    min_employees: int = Field(ge=0)
    max_employees: int | None = None
    label_ja: str


class Firmographics(Strict):
    industries: list[Industry] = Field(min_length=1)
    size_bands: list[SizeBand] = Field(min_length=1)
    seniority: dict[Code, list[str]] = Field(min_length=1)

    @model_validator(mode="after")
    def bands_tile_the_range(self) -> Firmographics:
        bands = self.size_bands
        for band, following in itertools.pairwise(bands):
            if band.max_employees is None or following.min_employees != band.max_employees + 1:
                raise ValueError(
                    f"size_bands: {following.code!r} must start at the employee count after"
                    f" {band.code!r} ends (bands are contiguous and in order)"
                )
        if bands[-1].max_employees is not None:
            raise ValueError(f"size_bands: the last band {bands[-1].code!r} must be open-ended")
        titles = [t for titles in self.seniority.values() for t in titles]
        repeated = sorted({t for t in titles if titles.count(t) > 1})
        if repeated:
            raise ValueError(f"seniority: title(s) {repeated} listed under several levels")
        return self


class Fit(Strict):
    industries: list[Code] = Field(min_length=1)
    size_bands: list[str] = Field(min_length=1)


class MqlRule(Strict):
    fit: Fit
    seniority_points: dict[Code, int]
    threshold: int = Field(gt=0)
    lookback_days: int = Field(gt=0, le=3650)
    requires_prior_inquiry: bool
    # after a cycle ends where the transitions lead back to MQL (recycled, lost): the next
    # MQL counts only touches after that end (true), or every touch in the window (false)
    resets_after_cycle_end: bool


class RejectionReason(Strict):
    code: Code
    label_en: str = Field(min_length=1)  # the value the CRM records
    label_ja: str = Field(min_length=1)
    outcome: Literal["recycled", "disqualified", "either"]


class BusinessHours(Strict):
    """When the business clock runs, in the reporting time zone."""

    start: dt.time
    end: dt.time
    weekdays: list[int] = Field(min_length=1)  # ISO: Monday = 1 ... Sunday = 7
    holidays: list[dt.date] = Field(default_factory=list)

    @model_validator(mode="after")
    def sensible(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if any(not 1 <= day <= 7 for day in self.weekdays) or len(set(self.weekdays)) != len(
            self.weekdays
        ):
            raise ValueError("weekdays are distinct ISO day numbers, Monday = 1 to Sunday = 7")
        return self


class Acceptance(Strict):
    sla_hours: int = Field(gt=0)
    sla_clock: Literal["calendar", "business"]
    business_hours: BusinessHours
    crm_lead_statuses: dict[str, Code] = Field(min_length=1)
    rejection_reasons: list[RejectionReason] = Field(min_length=1)


class OpportunityStage(Strict):
    name: str
    order: int = Field(ge=1)
    closed: bool = False
    won: bool = False


class LostReasonCategory(Strict):
    code: Code
    label_en: str
    label_ja: str
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def non_blank(cls, value: list[str]) -> list[str]:
        if any(not p.strip() for p in value):
            raise ValueError("a pattern is blank")
        return value


class Unclassified(Strict):
    code: Code
    label_en: str
    label_ja: str


class LostReasons(Strict):
    max_unclassified_share: float = Field(ge=0, le=1)
    categories: list[LostReasonCategory] = Field(min_length=1)
    unclassified: Unclassified


class TargetListResponse(Strict):
    outreach_email_types: list[str] = Field(min_length=1)


class Metrics(Strict):
    opportunity_window_days: int = Field(gt=0)


class Quality(Strict):
    row_count_max_change: float = Field(gt=0)
    row_count_min_allowance: int = Field(ge=0)
    source_freshness_hours: int = Field(gt=0)


class FunnelDefinitions(Strict):
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    changelog: list[ChangelogEntry] = Field(min_length=1)
    calendar: Calendar
    stages: list[Stage]
    transitions: list[Transition] = Field(min_length=1)
    touch_types: list[TouchType] = Field(min_length=1)
    touch_sources: TouchSources
    firmographics: Firmographics
    mql_rule: MqlRule
    acceptance: Acceptance
    opportunity_stages: list[OpportunityStage] = Field(min_length=1)
    lost_reasons: LostReasons
    target_list_response: TargetListResponse
    metrics: Metrics
    quality: Quality

    @model_validator(mode="after")
    def references_resolve(self) -> FunnelDefinitions:
        for problem in _reference_problems(self):
            raise ValueError(problem)
        return self


def _unknown(kind: str, used: list[str], known: set[str]) -> list[str]:
    missing = sorted(set(used) - known)
    return [f"unknown {kind} {missing} (known: {sorted(known)})"] if missing else []


def _reference_problems(d: FunnelDefinitions) -> list[str]:
    """Every cross-reference in the file, checked; messages name the key."""
    stages = [s.code for s in d.stages]
    touches = {t.code for t in d.touch_types}
    industries = {i.code for i in d.firmographics.industries}
    bands = {b.code for b in d.firmographics.size_bands}
    levels = set(d.firmographics.seniority)
    problems = []
    if d.changelog[0].version != d.version:
        problems.append(f"changelog: the first entry must be for version {d.version!r}")
    if tuple(c for c in stages if c in REQUIRED_STAGES) != REQUIRED_STAGES or len(
        set(stages)
    ) != len(stages):
        problems.append(f"stages: need each of {list(REQUIRED_STAGES)} once, in that order")
    ends = [s for t in d.transitions for s in (t.from_, t.to)]
    problems += _unknown("stage in transitions", ends, set(stages))
    sources = d.touch_sources
    mapped = [
        *(rule.touch_type for rule in sources.forms),
        *sources.email_event_types.values(),
        *sources.attendance_statuses.values(),
        sources.business_card,
    ]
    problems += _unknown("touch type in touch_sources", mapped, touches)
    for kind in ("email_event_types", "attendance_statuses"):
        both = set(getattr(sources, kind)) & set(getattr(sources.not_touches, kind))
        if both:
            problems.append(
                f"touch_sources.not_touches.{kind}: {sorted(both)} are mapped to touches too"
            )
    problems += _unknown(
        "industry in mql_rule.fit.industries", d.mql_rule.fit.industries, industries
    )
    problems += _unknown("size band in mql_rule.fit.size_bands", d.mql_rule.fit.size_bands, bands)
    if set(d.mql_rule.seniority_points) != levels:
        problems.append(f"mql_rule.seniority_points: must give points for exactly {sorted(levels)}")
    problems += _unknown(
        "stage in acceptance.crm_lead_statuses",
        list(d.acceptance.crm_lead_statuses.values()),
        set(stages),
    )
    if not any(t.direct_to_sales for t in d.touch_types) and any(
        t.path == "direct_to_sales" for t in d.transitions
    ):
        problems.append("transitions: a direct_to_sales path needs a touch type that has it")
    categories = [c.code for c in d.lost_reasons.categories] + [d.lost_reasons.unclassified.code]
    if len(set(categories)) != len(categories):
        problems.append("lost_reasons: category codes must be unique")
    names = [s.name for s in d.opportunity_stages]
    if len(set(names)) != len(names):
        problems.append("opportunity_stages: names must be unique")
    return problems

"""Simulate each person's journey: marketing touches, then what sales did with them.

Marketing touches are drawn first; the funnel is then walked in time order under the
generator's `TruthRules`, and sales behaviour (accept, reject, convert, win, lose) is drawn
as it goes. The result is the truth the exports are written from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from operator import attrgetter

from orchestration.sample import vocabulary as v
from orchestration.sample.rules import TruthRules
from orchestration.sample.world import JST, SIM_END, SIM_START, Calendar, Person

FORM_KINDS = ["document_request", "content_download", "webinar_registration", "demo_request"]
# running totals of the weights 40/30/20/10 and 35/35/25/5: `choices` draws the same with
# `cum_weights` as with `weights`, without summing them up on every call
FIRST_FORM_CUMULATIVE = list(accumulate([40, 30, 20, 10]))
LATER_FORM_CUMULATIVE = list(accumulate([35, 35, 25, 5]))


@dataclass(frozen=True)
class Touch:
    kind: str
    at: datetime
    campaign: str | None = None
    event_day: datetime | None = None  # webinar / trade-show day (JST midnight), if any
    # the campaign as the source record names it, when that differs from `campaign` (a
    # form submission names the form, not the webinar or content behind it)
    recorded_campaign: str | None = None

    @property
    def source_campaign(self) -> str | None:
        return self.recorded_campaign or self.campaign


@dataclass
class Opportunity:
    index: int
    created_at: datetime
    stages: list[tuple[str, datetime]] = field(default_factory=list)
    lost_reason: str | None = None
    lost_text: str | None = None
    amount: int = 0

    @property
    def outcome(self) -> str:
        last = self.stages[-1][0]
        return {"Closed Won": "won", "Closed Lost": "lost"}.get(last, "open")

    @property
    def closed_at(self) -> datetime | None:
        return self.stages[-1][1] if self.outcome != "open" else None


@dataclass
class Cycle:
    number: int
    mql_at: datetime
    mql_trigger: str
    first_followup_at: datetime | None = None
    sal_at: datetime | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None
    end_stage: str | None = None  # recycled | disqualified | won | lost
    end_at: datetime | None = None
    opportunity: Opportunity | None = None
    owner: int = 0  # index into sales users


@dataclass
class Journey:
    person: Person
    touches: list[Touch]
    inquiry_at: datetime | None
    cycles: list[Cycle]


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=round(rng.uniform(low, high)))


def _at_day(day: datetime) -> datetime:
    """A programme day as a UTC instant: midnight JST, as the date-only exports imply."""
    return day.astimezone(JST).replace(hour=0, minute=0, second=0).astimezone(UTC)


def _seconds(delta: timedelta) -> timedelta:
    return timedelta(seconds=round(delta.total_seconds()))


def _form_touch(rng: random.Random, kind: str, at: datetime, calendar: Calendar) -> list[Touch]:
    if kind != "webinar_registration":
        return [Touch(kind, at)]
    upcoming = calendar.after("webinars", at + timedelta(days=1))
    if not upcoming:
        return [Touch("document_request", at)]
    name, day = upcoming[0]
    touches = [Touch(kind, at, campaign=name, event_day=_at_day(day))]
    if rng.random() < 0.6:
        touches.append(
            Touch("webinar_attendance", _at_day(day), campaign=name, event_day=_at_day(day))
        )
    return touches


def simulate_touches(rng: random.Random, person: Person, calendar: Calendar) -> list[Touch]:
    span = (SIM_END - timedelta(days=30) - SIM_START).total_seconds()
    first_at = SIM_START + timedelta(seconds=round(rng.uniform(0, span) / 60) * 60)
    touches: list[Touch] = []
    if person.origin == "event":
        shows = calendar.after("trade_shows", first_at, inclusive=True) or calendar.trade_shows
        name, day = shows[0]
        touches.append(Touch("business_card", _at_day(day), campaign=name, event_day=_at_day(day)))
    elif person.origin == "target":
        waves = calendar.after("outreach_waves", first_at, inclusive=True)
        for name, day in waves[:3]:
            touches.append(Touch("email_send", day, campaign=name))
            if rng.random() < 0.12 * person.engagement:
                touches.append(Touch("email_click", day + _minutes(rng, 30, 4000), campaign=name))
    else:
        kind = rng.choices(FORM_KINDS, cum_weights=FIRST_FORM_CUMULATIVE)[0]
        touches += _form_touch(rng, kind, first_at, calendar)
    known_from = min(t.at for t in touches) if touches else first_at
    # later forms
    for _ in range(_poisson(rng, 1.3 * person.engagement)):
        at = known_from + timedelta(minutes=rng.randint(60, 300 * 24 * 60))
        if at < SIM_END:
            kind = rng.choices(FORM_KINDS, cum_weights=LATER_FORM_CUMULATIVE)[0]
            touches += _form_touch(rng, kind, at, calendar)
    if rng.random() < 0.08 and person.origin != "event":
        shows = calendar.after("trade_shows", known_from)
        if shows:
            name, day = shows[0]
            touches.append(
                Touch("business_card", _at_day(day), campaign=name, event_day=_at_day(day))
            )
    # newsletters to everyone who gave an address, for up to six months
    newsletters = calendar.after("newsletters", known_from)[:6]
    for name, day in newsletters:
        touches.append(Touch("email_send", day, campaign=name))
        if rng.random() < 0.35 * person.engagement:
            opened = day + _minutes(rng, 5, 3000)
            touches.append(Touch("email_open", opened, campaign=name))
            if rng.random() < 0.4:
                touches.append(Touch("email_click", opened + _minutes(rng, 1, 30), campaign=name))
    touches = [t for t in touches if t.at <= SIM_END]
    touches.sort(key=attrgetter("at", "kind"))
    return _attend_once(touches)


def _attend_once(touches: list[Touch]) -> list[Touch]:
    """Registering twice for one webinar does not make two attendances."""
    attended: set[datetime | None] = set()
    kept = []
    for touch in touches:
        if touch.kind == "webinar_attendance":
            if touch.event_day in attended:
                continue
            attended.add(touch.event_day)
        kept.append(touch)
    return kept


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def _mql_at(
    touches: list[Touch],
    person: Person,
    rules: TruthRules,
    after: datetime | None,
    inquiry_at: datetime | None,
) -> tuple[datetime, str] | None:
    """First instant, after `after`, at which the MQL rule holds, and the touch that tipped it."""
    fit = rules.is_fit(person.account.industry, person.account.size_band)
    bonus = rules.seniority_points[person.seniority]
    eligible = [t for t in touches if after is None or t.at > after]
    for touch in eligible:
        if inquiry_at is None or touch.at < inquiry_at:
            continue
        if touch.kind in rules.direct_to_sales:
            return touch.at, touch.kind
        if not fit or rules.intent_weights[touch.kind] == 0:
            continue
        start, weights = touch.at - rules.lookback, rules.intent_weights
        in_window = sum(weights[t.kind] for t in eligible if start < t.at <= touch.at)
        if in_window + bonus >= rules.mql_threshold:
            return touch.at, touch.kind
    return None


def _hours(rng: random.Random, median: float) -> timedelta:
    # at least 15 minutes: the lead reaches the CRM (1-10 minutes after the MQL) first
    return timedelta(minutes=max(15, round(rng.lognormvariate(0, 0.9) * median * 60)))


def _opportunity(rng: random.Random, index: int, created: datetime) -> Opportunity:
    opp = Opportunity(index=index, created_at=created, amount=rng.randrange(5, 400) * 100_000)
    stage, at = 0, created
    opp.stages.append((v.STAGES[stage], at))
    while True:
        at = at + _seconds(timedelta(days=rng.uniform(3, 25)))
        if at > SIM_END:
            return opp
        roll = rng.random()
        if stage > 0 and roll < 0.08:
            stage -= 1
        elif roll < 0.22:
            category = rng.choices(list(v.LOST_REASON_TEXTS), v.LOST_REASON_WEIGHTS)[0]
            opp.lost_reason = category
            opp.lost_text = rng.choice(v.LOST_REASON_TEXTS[category])
            opp.stages.append(("Closed Lost", at))
            return opp
        elif stage == len(v.STAGES) - 1:
            opp.stages.append(("Closed Won", at))
            return opp
        else:
            stage += 1
        opp.stages.append((v.STAGES[stage], at))


def _sales_cycle(
    rng: random.Random, cycle: Cycle, owners: int, next_opportunity: list[int]
) -> None:
    """What sales does with an MQL: follow up, accept or reject, convert, close."""
    hand_raiser = cycle.mql_trigger == "demo_request"
    cycle.owner = rng.randrange(owners)
    decided = cycle.mql_at + (_hours(rng, 1.5) if hand_raiser else _hours(rng, 20))
    if rng.random() < 0.85:
        cycle.first_followup_at = cycle.mql_at + _seconds(
            (decided - cycle.mql_at) * rng.uniform(0.3, 1)
        )
    if decided > SIM_END:
        return
    if rng.random() < (0.9 if hand_raiser else 0.65):
        cycle.sal_at = decided
    else:
        reason = rng.choice(list(v.REJECTION_REASONS))
        cycle.rejected_at, cycle.rejection_reason = decided, reason
        cycle.end_stage, cycle.end_at = v.REJECTION_REASONS[reason], decided
        return
    if rng.random() < 0.5:
        created = decided + _seconds(timedelta(days=rng.uniform(2, 30)))
        if created > SIM_END:
            return
        opp = _opportunity(rng, next_opportunity[0], created)
        next_opportunity[0] += 1
        cycle.opportunity = opp
        if opp.outcome != "open":
            cycle.end_stage, cycle.end_at = opp.outcome, opp.closed_at
        return
    stalled = decided + _seconds(timedelta(days=rng.uniform(14, 60)))
    if stalled <= SIM_END:
        cycle.rejection_reason = v.STALLED_REASON
        cycle.end_stage = "recycled" if rng.random() < 0.7 else "disqualified"
        cycle.end_at = stalled


def simulate_journey(
    rng: random.Random,
    person: Person,
    calendar: Calendar,
    rules: TruthRules,
    owners: int,
    next_opportunity: list[int],
) -> Journey:
    touches = simulate_touches(rng, person, calendar)
    inquiries = [t.at for t in touches if t.kind in rules.inquiry_touches]
    inquiry_at = min(inquiries) if inquiries else None
    cycles: list[Cycle] = []
    after: datetime | None = None
    while (found := _mql_at(touches, person, rules, after, inquiry_at)) is not None:
        cycle = Cycle(number=len(cycles) + 1, mql_at=found[0], mql_trigger=found[1])
        cycles.append(cycle)
        _sales_cycle(rng, cycle, owners, next_opportunity)
        if cycle.end_stage not in ("recycled", "lost") or cycle.end_at is None:
            break
        after = cycle.end_at
    return Journey(person=person, touches=touches, inquiry_at=inquiry_at, cycles=cycles)

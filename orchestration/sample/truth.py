"""The ground truth: what really happened, written beside the exports for the tests.

Tests compare the pipeline's results with these files, never with the pipeline's own
output. Times are UTC ISO 8601.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import IO, Any, ClassVar

from orchestration.sample.journeys import Journey
from orchestration.sample.rules import TruthRules
from orchestration.sample.sinks import CsvSink
from orchestration.sample.world import JST, Account, User

OUTREACH_PREFIX = "ターゲット"


def iso(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fiscal_quarter(at: datetime, start_month: int = 4) -> str:
    local = at.astimezone(JST)
    shifted = (local.month - start_month) % 12
    year = local.year if local.month >= start_month else local.year - 1
    return f"FY{year}-Q{shifted // 3 + 1}"


class TruthWriter:
    FILES: ClassVar[dict[str, list[str]]] = {
        "persons": [
            "person_id",
            "account_index",
            "email",
            "origin",
            "industry",
            "size_band",
            "seniority",
            "is_fit",
            "first_touch_at",
            "first_touch_kind",
            "inquiry_at",
            "first_touch_campaign",
        ],
        "person_stages": ["person_id", "cycle", "stage", "entered_at"],
        "cycles": [
            "person_id",
            "cycle",
            "mql_at",
            "mql_trigger",
            "first_followup_at",
            "sal_at",
            "rejected_at",
            "rejection_reason",
            "end_stage",
            "end_at",
            "opportunity_index",
            "lead_owner_id",
            "lead_owner_team",
        ],
        "opportunities": [
            "opportunity_index",
            "opportunity_id",
            "person_id",
            "account_index",
            "created_at",
            "outcome",
            "closed_at",
            "lost_reason",
            "lost_text",
            "stage_changes",
            "advances",
            "regressions",
            "amount",
            "owner_id",
            "owner_team",
        ],
        "touches": ["person_id", "kind", "at", "campaign"],
    }

    def __init__(self, root: Path, rules: TruthRules, sales_users: Sequence[User]) -> None:
        """sales_users: the owners a cycle's `owner` index points into (by modulo)."""
        root.mkdir(parents=True, exist_ok=True)
        self.root, self.rules, self.sales_users = root, rules, list(sales_users)
        self.handles: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        for name, header in self.FILES.items():
            handle = (root / f"{name}.csv").open("w", encoding="utf-8", newline="")
            self.handles[name], self.writers[name] = handle, csv.writer(handle)
            self.writers[name].writerow(header)
        self.account_periods: dict[tuple[int, str], list[bool]] = {}
        self.pending_opportunities: list[tuple[Journey, int]] = []

    def write(self, journey: Journey) -> None:
        person, rules, w = journey.person, self.rules, self.writers
        first = next((t for t in journey.touches if t.kind != "email_send"), None)
        w["persons"].writerow(
            [
                person.person_id,
                person.account.index,
                person.email,
                person.origin,
                person.account.industry,
                person.account.size_band,
                person.seniority,
                rules.is_fit(person.account.industry, person.account.size_band),
                iso(first.at if first else None),
                first.kind if first else "",
                iso(journey.inquiry_at),
                (first.source_campaign or "") if first else "",
            ]
        )
        for touch in journey.touches:
            w["touches"].writerow([person.person_id, touch.kind, iso(touch.at), touch.campaign])
            self._account_period(person.account, touch.kind, touch.at, touch.campaign)
        if journey.inquiry_at is not None:
            w["person_stages"].writerow([person.person_id, 1, "inquiry", iso(journey.inquiry_at)])
        lead_owner: User | None = None  # a lead keeps the owner of the cycle that opened it
        for cycle in journey.cycles:
            opp = cycle.opportunity
            lead_owner = lead_owner or self._owner(cycle.owner)
            stages = [
                ("mql", cycle.mql_at),
                ("sal", cycle.sal_at),
                ("sql", opp.created_at if opp else None),
            ]
            if cycle.end_stage:
                stages.append((cycle.end_stage, cycle.end_at))
            for stage, at in stages:
                if at is not None:
                    w["person_stages"].writerow([person.person_id, cycle.number, stage, iso(at)])
            w["cycles"].writerow(
                [
                    person.person_id,
                    cycle.number,
                    iso(cycle.mql_at),
                    cycle.mql_trigger,
                    iso(cycle.first_followup_at),
                    iso(cycle.sal_at),
                    iso(cycle.rejected_at),
                    cycle.rejection_reason or "",
                    cycle.end_stage or "",
                    iso(cycle.end_at),
                    opp.index if opp else "",
                    lead_owner.crm_id,
                    lead_owner.team,
                ]
            )
            if opp is not None:
                self.pending_opportunities.append((journey, opp.index))
            if opp is not None or cycle.end_stage in ("won", "lost"):
                lead_owner = None  # a converted lead is closed; the next cycle opens a new one

    def write_opportunities(self, opportunity_ids: dict[int, str]) -> None:
        for journey, index in self.pending_opportunities:
            cycle = next(
                c for c in journey.cycles if c.opportunity and c.opportunity.index == index
            )
            opp, owner = cycle.opportunity, self._owner(cycle.owner)
            assert opp is not None
            order = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation"]
            ranks = [order.index(s) for s, _ in opp.stages if s in order]
            advances = sum(1 for a, b in pairwise(ranks) if b > a)
            regressions = sum(1 for a, b in pairwise(ranks) if b < a)
            self.writers["opportunities"].writerow(
                [
                    index,
                    opportunity_ids[index],
                    journey.person.person_id,
                    journey.person.account.index,
                    iso(opp.created_at),
                    opp.outcome,
                    iso(opp.closed_at),
                    opp.lost_reason or "",
                    opp.lost_text or "",
                    len(opp.stages) - 1,
                    advances,
                    regressions,
                    opp.amount,
                    owner.crm_id,
                    owner.team,
                ]
            )

    def _owner(self, index: int) -> User:
        return self.sales_users[index % len(self.sales_users)]

    def _account_period(
        self, account: Account, kind: str, at: datetime, campaign: str | None
    ) -> None:
        key = (account.index, fiscal_quarter(at))
        flags = self.account_periods.setdefault(key, [False, False])
        if kind == "email_send" and campaign and campaign.startswith(OUTREACH_PREFIX):
            flags[0] = True
        if kind in self.rules.response_touches:
            flags[1] = True

    def close(
        self,
        accounts: list[Account],
        person_records: list[tuple[str, str, str]],
        files: list[CsvSink],
        landing_root: Path,
    ) -> None:
        for handle in self.handles.values():
            handle.close()
        self._write_file(
            "accounts",
            [
                "account_index",
                "crm_account_id",
                "canonical_name",
                "domain",
                "industry",
                "size_band",
                "employees",
                "in_target_list_pool",
            ],
            (
                [
                    a.index,
                    a.crm_id or "",
                    a.canonical_name,
                    a.domain,
                    a.industry,
                    a.size_band,
                    a.employees,
                    a.targeted,
                ]
                for a in accounts
            ),
        )
        self._write_file(
            "account_periods",
            ["account_index", "fiscal_quarter", "targeted", "responded"],
            (
                [index, quarter, targeted, responded]
                for (index, quarter), (targeted, responded) in sorted(self.account_periods.items())
            ),
        )
        self._write_file("person_records", ["person_id", "system", "record_id"], person_records)
        self._write_file(
            "files",
            ["source_file", "table_name", "encoding", "records", "defect_records", "defect_lines"],
            (
                [
                    s.path.relative_to(landing_root).as_posix(),
                    s.table,
                    s.encoding,
                    s.records,
                    len(s.defect_lines),
                    ";".join(map(str, s.defect_lines)),
                ]
                for s in sorted(files, key=lambda s: str(s.path))
            ),
        )

    def _write_file(self, name: str, header: list[str], rows: Iterable[Sequence[object]]) -> None:
        with (self.root / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)

"""The ground truth: what really happened, written beside the exports for the tests.

Tests compare the pipeline's results with these files, never with the pipeline's own
output. Times are UTC ISO 8601.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import IO, Any, ClassVar

from orchestration.sample.journeys import Journey
from orchestration.sample.rules import TruthRules
from orchestration.sample.sinks import FileWritten
from orchestration.sample.stamps import utc_seconds
from orchestration.sample.world import JST, Account, User

OUTREACH_PREFIX = "ターゲット"


def fiscal_quarter(at: datetime, start_month: int = 4) -> str:
    local = at.astimezone(JST)
    shifted = (local.month - start_month) % 12
    year = local.year if local.month >= start_month else local.year - 1
    return f"FY{year}-Q{shifted // 3 + 1}"


def _quarter_starts(first_year: int, last_year: int) -> list[datetime]:
    """The first instant (JST midnight) of every fiscal quarter of the years, in UTC."""
    months = [
        (year + (month - 1) // 12, (month - 1) % 12 + 1)
        for year in range(first_year, last_year + 1)
        for month in (4, 7, 10, 13)
    ]
    return [datetime(y, m, 1, tzinfo=JST).astimezone(UTC) for y, m in months]


def _timestamps(instants: list[datetime]) -> list[float]:
    """POSIX seconds: a binary search compares floats much faster than aware datetimes."""
    return [at.timestamp() for at in instants]


_STARTS = _quarter_starts(2020, 2030)
QUARTER_LABELS = [fiscal_quarter(start) for start in _STARTS]
QUARTER_STARTS = _timestamps(_STARTS)


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
                utc_seconds(first.at if first else None),
                first.kind if first else "",
                utc_seconds(journey.inquiry_at),
                (first.source_campaign or "") if first else "",
            ]
        )
        w["touches"].writerows(
            [person.person_id, t.kind, utc_seconds(t.at), t.campaign] for t in journey.touches
        )
        for touch in journey.touches:
            self._account_period(person.account, touch.kind, touch.at, touch.campaign)
        if journey.inquiry_at is not None:
            w["person_stages"].writerow(
                [person.person_id, 1, "inquiry", utc_seconds(journey.inquiry_at)]
            )
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
                    w["person_stages"].writerow(
                        [person.person_id, cycle.number, stage, utc_seconds(at)]
                    )
            w["cycles"].writerow(
                [
                    person.person_id,
                    cycle.number,
                    utc_seconds(cycle.mql_at),
                    cycle.mql_trigger,
                    utc_seconds(cycle.first_followup_at),
                    utc_seconds(cycle.sal_at),
                    utc_seconds(cycle.rejected_at),
                    cycle.rejection_reason or "",
                    cycle.end_stage or "",
                    utc_seconds(cycle.end_at),
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
                    utc_seconds(opp.created_at),
                    opp.outcome,
                    utc_seconds(opp.closed_at),
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

    @staticmethod
    def _quarter(at: datetime) -> str:
        """`fiscal_quarter(at)`, found by a binary search over the quarters' first instants
        (a million persons make ten million touches)."""
        found = bisect_right(QUARTER_STARTS, at.timestamp())
        if 0 < found < len(QUARTER_STARTS):
            return QUARTER_LABELS[found - 1]
        return fiscal_quarter(at)

    def _owner(self, index: int) -> User:
        return self.sales_users[index % len(self.sales_users)]

    def _account_period(
        self, account: Account, kind: str, at: datetime, campaign: str | None
    ) -> None:
        key = (account.index, self._quarter(at))
        flags = self.account_periods.setdefault(key, [False, False])
        if kind == "email_send" and campaign and campaign.startswith(OUTREACH_PREFIX):
            flags[0] = True
        if kind in self.rules.response_touches:
            flags[1] = True

    def close(
        self,
        accounts: list[Account],
        person_records: list[tuple[str, str, str]],
        files: list[FileWritten],
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
        write_files_truth(self.root, files)

    def _write_file(self, name: str, header: list[str], rows: Iterable[Sequence[object]]) -> None:
        _write_csv(self.root / f"{name}.csv", header, rows)


def write_files_truth(root: Path, files: Iterable[FileWritten]) -> None:
    """`files.csv`: every export file with its record count and deliberately broken lines."""
    _write_csv(
        root / "files.csv",
        ["source_file", "table_name", "encoding", "records", "defect_records", "defect_lines"],
        (
            [
                f.source_file,
                f.table,
                f.encoding,
                f.records,
                len(f.defect_lines),
                ";".join(map(str, f.defect_lines)),
            ]
            for f in sorted(files, key=lambda f: f.source_file)
        ),
    )


def _write_csv(path: Path, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)

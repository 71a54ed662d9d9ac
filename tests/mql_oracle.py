"""The generator's own MQL rule as an oracle: whose MQL instants a definitions change moves.

`journeys._mql_at` is run in Python on the ground-truth touches with given rules; the
pipeline's MQLs must be these (tests/test_definition_changes.py, tests/test_proposals.py).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from orchestration.sample.journeys import Touch, _mql_at
from orchestration.sample.rules import TruthRules


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _accounts_with_known_size(truth: Path) -> set[str]:
    """Accounts whose employee count some export shows: a CRM account, or a person with a
    CRM lead or on a target list. Elsewhere the size is unknown, so the account is no fit."""
    account_of = {r["person_id"]: r["account_index"] for r in _read(truth / "persons.csv")}
    known = {r["account_index"] for r in _read(truth / "accounts.csv") if r["crm_account_id"]}
    return known | {
        account_of[r["person_id"]]
        for r in _read(truth / "person_records.csv")
        if r["system"] in ("crm_lead", "target_list")
    }


def predicted_mqls(truth: Path, rules: TruthRules) -> dict[str, set[datetime]]:
    """Every MQL instant per person: the first, and the first after each cycle end the CRM
    recorded that allows a return to MQL (recycled, lost)."""
    touches: dict[str, list[Touch]] = defaultdict(list)
    for row in _read(truth / "touches.csv"):
        touches[row["person_id"]].append(Touch(row["kind"], datetime.fromisoformat(row["at"])))
    boundaries: dict[str, list[datetime | None]] = defaultdict(lambda: [None])
    for row in _read(truth / "cycles.csv"):
        if row["end_stage"] in ("recycled", "lost"):
            boundaries[row["person_id"]].append(datetime.fromisoformat(row["end_at"]))
    predicted = {}
    sized = _accounts_with_known_size(truth)
    for row in _read(truth / "persons.csv"):
        size_band = row["size_band"] if row["account_index"] in sized else "unknown"
        person = SimpleNamespace(
            account=SimpleNamespace(industry=row["industry"], size_band=size_band),
            seniority=row["seniority"],
        )
        inquiry = datetime.fromisoformat(row["inquiry_at"]) if row["inquiry_at"] else None
        ordered = sorted(touches[row["person_id"]], key=lambda t: (t.at, t.kind))
        found = (
            _mql_at(ordered, person, rules, after, inquiry)  # type: ignore[arg-type]
            for after in boundaries[row["person_id"]]
        )
        predicted[row["email"]] = {f[0].replace(tzinfo=None) for f in found if f}
    return predicted

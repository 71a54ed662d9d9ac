"""Changing an agreed definition and re-materializing changes exactly the rows it affects.

The oracle is the generator's own MQL rule (`journeys._mql_at`), run in Python on the
ground-truth touches with the old and the new threshold: it predicts whose first MQL moves.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import duckdb
import yaml

from orchestration.common_language.load import DEFAULT_PATH
from orchestration.sample.journeys import Touch, _mql_at
from orchestration.sample.rules import TruthRules
from tests.builds import Builds, build_everything

NEW_THRESHOLD, NEW_VERSION = 45, "9.0.0"


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


def _predicted_mqls(truth: Path, rules: TruthRules) -> dict[str, set[datetime]]:
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


def _lifecycle(warehouse: Path) -> dict[tuple[str, int], dict[str, object]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(
            "select p.email, l.* from marts.fct_lead_lifecycle as l"
            " inner join restricted.dim_person_identifiers as p using (person_id)"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return {(str(r["email"]), int(r["cycle_number"])): r for r in rows}  # type: ignore[call-overload]


def _without_version(row: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in row.items() if k != "definitions_version"}


def test_threshold_change_moves_exactly_the_predicted_rows(builds: Builds, tmp_path: Path):
    built = builds.get(7, 800)
    sample = built.sample
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built.warehouse, warehouse)  # the shared build stays as it is
    before = _lifecycle(warehouse)

    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    document["mql_rule"]["threshold"] = NEW_THRESHOLD
    document["version"] = NEW_VERSION
    document["changelog"].insert(
        0,
        {
            "version": NEW_VERSION,
            "date": "2026-11-24",
            "agreed_by": ["team:marketing"],
            "changes": ["Lower the MQL threshold"],
        },
    )
    changed = tmp_path / "funnel_definitions.yml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert build_everything(sample.landing_dir, warehouse, changed).success
    after = _lifecycle(warehouse)

    old = _predicted_mqls(sample.truth_dir, TruthRules())
    new = _predicted_mqls(sample.truth_dir, TruthRules(mql_threshold=NEW_THRESHOLD))
    moved = {email for email in old if old[email] != new[email]}
    assert moved, "the change must matter for some persons, or this test proves nothing"

    # every row says which definitions built it
    assert {row["definitions_version"] for row in after.values()} == {NEW_VERSION}
    # the pipeline's MQLs are the oracle's, before and after
    for rows, predicted in ((before, old), (after, new)):
        built: dict[str, set[object]] = defaultdict(set)
        for (email, _), row in rows.items():
            built[email].add(row["mql_at"])
        assert {e: m for e, m in built.items() if m} == {e: m for e, m in predicted.items() if m}
    # rows of persons the change does not touch are unchanged, column for column
    touched = {key[0] for key in before.keys() ^ after.keys()} | {
        key[0]
        for key in before.keys() & after.keys()
        if _without_version(before[key]) != _without_version(after[key])
    }
    assert touched == moved

"""Changing an agreed definition and re-materializing changes exactly the rows it affects.

The oracle is the generator's own MQL rule (`tests/mql_oracle.py`), run in Python on the
ground-truth touches with the old and the new threshold: it predicts whose first MQL moves.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import yaml

from orchestration.common_language.load import DEFAULT_PATH
from orchestration.sample.rules import TruthRules
from tests.builds import Builds, build_everything
from tests.mql_oracle import predicted_mqls

NEW_THRESHOLD, NEW_VERSION = 45, "9.0.0"


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

    old = predicted_mqls(sample.truth_dir, TruthRules())
    new = predicted_mqls(sample.truth_dir, TruthRules(mql_threshold=NEW_THRESHOLD))
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

"""A day of new and changed records (the benchmark's third run), checked against the files
themselves with Python's csv module, then ingested without a single rejected row."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb

from orchestration.sample.generate import generate
from orchestration.sample.next_day import APPEND_ONLY, SNAPSHOTS, write_next_day
from tests.conftest import run_ingest

DAY = date(2026, 10, 2)
TAG = f"{DAY:%Y%m%d}"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_next_day_changes_and_adds_the_share_it_says_and_nothing_else(tmp_path: Path):
    sample = generate(tmp_path / "landing", tmp_path / "truth", 400, 3)
    landing = sample.landing_dir
    before = {
        folder: sorted((landing / folder).glob("*.csv"))[-1]
        for folder, *_ in (*SNAPSHOTS, *APPEND_ONLY)
    }
    day = write_next_day(landing, DAY, share=0.1)
    assert len(day.files) == len(SNAPSHOTS) + len(APPEND_ONLY)

    changed = new = 0
    for folder, prefix, id_header, modified, email in SNAPSHOTS:
        old = {r[id_header]: r for r in _rows(before[folder])}
        rows = _rows(landing / folder / f"{prefix}_{TAG}.csv")
        for row in rows:
            if row[id_header] in old:
                original = old[row[id_header]]
                if row[modified] != original[modified]:
                    changed += 1
                    assert row[modified].startswith(f"{DAY:%Y-%m-%d}")
                # nothing but the last-modified time differs
                assert {k: v for k, v in row.items() if k != modified} == {
                    k: v for k, v in original.items() if k != modified
                }
            else:
                new += 1
                assert row[id_header].endswith(f"N{TAG}")
                source = old[row[id_header].removesuffix(f"N{TAG}")]
                if email and "@" in source[email]:
                    assert row[email] == f"n{TAG}.{source[email]}"
        # every record of the latest export is still there
        assert {r[id_header] for r in rows} >= set(old)
    for folder, prefix, id_header, _email in APPEND_ONLY:
        rows = _rows(landing / folder / f"{prefix}_{TAG}.csv")
        assert all(r[id_header].endswith(f"N{TAG}") for r in rows)
        new += len(rows)
    assert (changed, new) == (day.changed, day.new)
    assert changed > 10 and new > 10  # a tenth of a 400-person sample

    warehouse = tmp_path / "warehouse.duckdb"
    assert run_ingest(landing, warehouse).success
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loads = con.execute(
            "select table_name, source_file, rows_read from ingest.file_loads"
            f" where source_file like '%{TAG}.csv'"
        ).fetchall()
        # the reasons of rejected rows, per table, in the day's files and in the others
        reasons = con.execute(
            f"select table_name, source_file like '%{TAG}.csv', reason"
            " from ingest.rejected_rows group by all"
        ).fetchall()
    finally:
        con.close()
    assert len(loads) == len(day.files)
    for _, source_file, read in loads:
        assert read == len(_rows(landing / source_file)), source_file
    # the day adds no new kind of defect: a row it rejects is a copy of a generated defect
    earlier = {(table, reason) for table, today, reason in reasons if not today}
    assert {(table, reason) for table, today, reason in reasons if today} <= earlier

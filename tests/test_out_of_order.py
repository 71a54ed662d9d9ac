"""Exports that arrive out of order, on a hand-made landing zone, across two real runs.

Week 1 lands a form submission (資料請求) and a webinar attendance without an email, but
not the marketing-automation contacts export. Week 2 lands the contacts export. Expected
values are worked out by hand from the definitions file (1.3.0; 1.4.0 only added labels), not from the pipeline:

- week 1: Hanako exists from her submission (her email identifies her): one inquiry, first
  touch document_request at 2026-05-11 10:00 JST = 01:00 UTC, stage inquiry, no MQL (no
  known industry or size: no fit), 0 MQL cycles. The attendee row (name and company only)
  identifies nobody yet: no touch. The run publishes.
- week 2: the contacts export names Hanako with her company and title (部長 = director,
  製造業 = manufacturing): the attendee row now matches her by name and company, so her
  webinar attendance (20 May, local midnight = 19 May 15:00 UTC) becomes her touch, and the
  unmatched person of week 1 is gone. The run publishes again; nothing broke.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from tests.builds import build_everything, published_path
from tests.hand_made_landing import (
    PERSON_AFTER_ALL,
    PERSON_ID,
    late_opportunity,
    week_one,
    week_two,
)


def _published(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(published_path(warehouse)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_touch_before_its_contact_export_publishes_and_a_later_export_enriches(
    tmp_path: Path,
):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    week_one(landing)
    late_opportunity(landing)
    first = build_everything(landing, warehouse)
    assert first.success
    # the late deal is a warning with its count, not a failed run
    late = [
        e
        for e in first.get_asset_check_evaluations()
        if e.check_name.startswith("relationships_fct_opportunity_stage_history_opportunity_id")
    ]
    assert len(late) == 1 and not late[0].passed and late[0].severity.value == "WARN"
    persons = _published(
        warehouse,
        "select person_id, match_method, first_touch_type, first_touch_at, inquiry_at, "
        "current_stage, lifecycle_cycles, title from dim_persons order by match_method",
    )
    utc = datetime(2026, 5, 11, 1, 0)
    assert persons[0] == (
        PERSON_ID,
        "exact_email",
        "document_request",
        utc,
        utc,
        "inquiry",
        0,
        None,
    )
    assert [p[1] for p in persons] == ["exact_email", "unmatched"]  # the attendee, alone
    transitions = _published(
        warehouse, "select person_id, stage_code, entered_at from fct_stage_transitions"
    )
    assert transitions == [(PERSON_ID, "inquiry", utc)]

    week_two(landing)
    second = build_everything(landing, warehouse)
    assert second.success
    persons = _published(
        warehouse,
        "select person_id, match_method, title, seniority, industry_code, first_touch_type, "
        "lifecycle_cycles, source_records from dim_persons",
    )
    # submission + contact + attendee (by name and company)
    assert persons == [PERSON_AFTER_ALL]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        touches = con.execute(
            "select person_id, touch_type, touched_at from intermediate.int_touchpoints_unioned "
            "order by touched_at"
        ).fetchall()
    finally:
        con.close()
    assert touches == [
        (PERSON_ID, "document_request", utc),
        (PERSON_ID, "webinar_attendance", datetime(2026, 5, 19, 15, 0)),
    ]
    log = _published(warehouse, "select count(*) from publish_log")
    assert log == [(2,)]

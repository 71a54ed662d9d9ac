"""Exports that arrive out of order, on a hand-made landing zone, across two real runs.

Week 1 lands a form submission (資料請求) and a webinar attendance without an email, but
not the marketing-automation contacts export. Week 2 lands the contacts export. Expected
values are worked out by hand from the definitions file (1.3.0), not from the pipeline:

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

import csv
import hashlib
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.ingest.contract import load_contract
from tests.builds import build_everything, published_path

EMAIL = "hanako.suzuki@sample-mfg.co.jp"
PERSON_ID = hashlib.md5(EMAIL.encode()).hexdigest()  # dbt.hash on DuckDB: md5 hex


def _write(landing: Path, table: str, name: str, rows: list[dict[str, str]]) -> None:
    """A file as the source system writes it, with every header the contract names."""
    spec = next(t for t in load_contract() if t.qualified_name == table)
    path = landing / spec.folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = "cp932" if spec.encoding == "cp932" else "utf-8"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if encoding == "cp932" else "\n")
        headers = [c.header for c in spec.columns]
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])


def _week_one(landing: Path) -> None:
    _write(
        landing,
        "raw_hubspot.form",
        "forms_20260515.csv",
        [{"Form ID": "f-1", "Form Name": "資料請求（製品カタログ）", "Form Type": "HUBSPOT"}],
    )
    _write(
        landing,
        "raw_hubspot.contact_form_submission",
        "form_submissions_20260515.csv",
        [
            {
                "Conversion ID": "cv-1",
                "Contact ID": "101",
                "Form ID": "f-1",
                "Email": "Hanako.Suzuki@Sample-MFG.co.jp",
                "Submitted At": "2026-05-11 10:00:00",
            }
        ],
    )
    _write(
        landing,
        "raw_events.event_attendee",
        "attendees_FY2026.csv",
        [
            {
                "申込ID": "W-1",
                "イベント名": "ウェビナー「DX入門」",
                "イベント種別": "ウェビナー",
                "開催日": "2026/05/20",
                "会社名": "株式会社サンプル製作所",
                "氏名": "鈴木 花子",
                "参加ステータス": "参加",
                "登録日時": "2026/05/12 09:30",
            }
        ],
    )


def _late_opportunity(landing: Path) -> None:
    """A stage change of a deal whose Opportunity export has not landed yet."""
    _write(
        landing,
        "raw_salesforce.opportunity_history",
        "OpportunityHistory_20260515.csv",
        [
            {
                "Id": "008A",
                "OpportunityId": "006LATE",
                "StageName": "Prospecting",
                "Amount": "1000",
                "Probability": "10",
                "CloseDate": "2026-06-30",
                "CreatedById": "005X",
                "IsDeleted": "false",
                "CreatedDate": "2026-05-12T01:00:00.000Z",
            }
        ],
    )


def _week_two(landing: Path) -> None:
    _write(
        landing,
        "raw_hubspot.contact",
        "contacts_20260522.csv",
        [
            {
                "Record ID": "101",
                "Email": "hanako.suzuki@sample-mfg.co.jp",
                "First Name": "花子",
                "Last Name": "鈴木",
                "Company Name": "サンプル製作所株式会社",
                "Job Title": "部長",
                "Industry": "製造業",
                "Lifecycle Stage": "lead",
                "Create Date": "2026-05-11 10:00:00",
                "Last Modified Date": "2026-05-22 09:00:00",
            }
        ],
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
    _week_one(landing)
    _late_opportunity(landing)
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

    _week_two(landing)
    second = build_everything(landing, warehouse)
    assert second.success
    persons = _published(
        warehouse,
        "select person_id, match_method, title, seniority, industry_code, first_touch_type, "
        "lifecycle_cycles, source_records from dim_persons",
    )
    # submission + contact + attendee (by name and company)
    assert persons == [
        (PERSON_ID, "exact_email", "部長", "director", "manufacturing", "document_request", 0, 3)
    ]
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

"""A hand-made landing zone: one person and one late deal, written as the systems write
them. Expected values are worked out by hand from the definitions file (1.3.0; 1.4.0 only added labels), not from
the pipeline (tests/test_out_of_order.py explains each; the engine tests reuse it).

After all three parts landed: Hanako (exact email) with 3 source records (submission,
contact, attendee matched by name and company), title 部長 = director, 製造業 =
manufacturing, first touch document_request at 2026-05-11 10:00 JST = 01:00 UTC, stage
inquiry entered then, no MQL (0 cycles); her webinar attendance at 2026-05-19 15:00 UTC.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from orchestration.ingest.contract import load_contract

EMAIL = "hanako.suzuki@sample-mfg.co.jp"
PERSON_ID = hashlib.md5(EMAIL.encode()).hexdigest()  # dbt.hash on DuckDB: md5 hex


def write_export(landing: Path, table: str, name: str, rows: list[dict[str, str]]) -> None:
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


def document_request_form(landing: Path) -> None:
    """Form f-1, a product catalogue request: the definitions map it to document_request."""
    write_export(
        landing,
        "raw_hubspot.form",
        "forms_20260515.csv",
        [{"Form ID": "f-1", "Form Name": "資料請求（製品カタログ）", "Form Type": "HUBSPOT"}],
    )


def week_one(landing: Path, attendee_file: str = "attendees_FY2026.csv") -> None:
    """`attendee_file`: another name where the sample's own attendee list lands beside."""
    document_request_form(landing)
    write_export(
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
    write_export(
        landing,
        "raw_events.event_attendee",
        attendee_file,
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


def late_opportunity(landing: Path) -> None:
    """A stage change of a deal whose Opportunity export has not landed yet."""
    write_export(
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


def week_two(landing: Path) -> None:
    write_export(
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


FIRST_TOUCH_UTC = datetime(2026, 5, 11, 1, 0)
# dim_persons (person_id, match_method, title, seniority, industry_code, first_touch_type,
# lifecycle_cycles, source_records) once every part landed
PERSON_AFTER_ALL = (
    PERSON_ID, "exact_email", "部長", "director", "manufacturing", "document_request", 0, 3
)  # fmt: skip


def land_everything(landing: Path, attendee_file: str = "attendees_FY2026.csv") -> None:
    """All three parts at once (the state after week two)."""
    week_one(landing, attendee_file)
    late_opportunity(landing)
    week_two(landing)


def published_differences(tables: dict[str, Any]) -> list[str]:
    """What the published tables of any engine (tests/engine_equality Tables) get wrong
    about Hanako against the hand-computed values, once every part landed (beside the
    generated sample too: her rows only; 3 source records say her attendance matched)."""
    problems = []
    persons = tables["dim_persons"]
    wanted = ("person_id", "match_method", "title", "seniority", "industry_code")
    wanted += ("first_touch_type", "lifecycle_cycles", "source_records")
    picked = [tuple(row[persons.columns.index(c)] for c in wanted) for row in persons.rows]
    picked = [row for row in picked if row[0] == PERSON_ID]
    if picked != [PERSON_AFTER_ALL]:
        problems.append(f"dim_persons: {picked}")
    stages = tables["fct_stage_transitions"]
    wanted = ("person_id", "stage_code", "entered_at")
    picked = [tuple(row[stages.columns.index(c)] for c in wanted) for row in stages.rows]
    picked = [row for row in picked if row[0] == PERSON_ID]
    if picked != [(PERSON_ID, "inquiry", FIRST_TOUCH_UTC)]:
        problems.append(f"fct_stage_transitions: {picked}")
    return problems

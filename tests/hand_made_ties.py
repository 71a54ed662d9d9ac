"""A hand-made person whose first touch is a tie: two webinars on one day, and one of them
registered twice, once without a registration time. Written into the engine reference
landing zones (tests/engine_builds.py), so DuckDB, PostgreSQL and Spark each build it beside
the generated sample; the expected values are worked out by hand from the definitions
file, not from the pipeline.

Jiro attends (参加 = webinar_attendance) two webinars held on 2026-06-10:
- W-TIE-1: 「品質管理」, registered 2026/06/01 10:00
- W-TIE-2: 「DX入門」, registered 2026/06/02 10:00
- W-TIE-3: 「DX入門」 again, no registration time

A person registered twice for one event attends it once: the registration with a time
sorts first (`nulls last`, on Spark too, whose default sorts nulls first), so W-TIE-2
stays and W-TIE-3 is no touch. Both webinars are at local midnight of the event day
(Asia/Tokyo): 2026-06-09 15:00 UTC, the same touch type: a tie. Of simultaneous first
actions the lowest touch id, md5('event_attendee:' || registration id), wins:

    md5('event_attendee:W-TIE-3') = 0123afe7...  (the duplicate: no touch)
    md5('event_attendee:W-TIE-1') = 66504dfe...  <- the first touch: 「品質管理」
    md5('event_attendee:W-TIE-2') = bf2c70e8...

An engine that kept W-TIE-3 instead (nulls first) would answer 「DX入門」; one without the
touch-id tie-break could answer either. The inquiry stage takes the same touch as its
evidence (fct_stage_transitions orders inquiries the same way).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.hand_made_landing import write_export

EMAIL = "jiro.yamada@edge-seiki.example"
PERSON_ID = hashlib.md5(EMAIL.encode()).hexdigest()
QUALITY_WEBINAR, DX_WEBINAR = "ウェビナー「品質管理」", "ウェビナー「DX入門」"
WEBINAR_DAY_UTC = datetime(2026, 6, 9, 15, 0)  # 2026-06-10 00:00 Asia/Tokyo

# dim_persons: first_touch_type, first_touch_campaign, first_touch_at, inquiry_at
FIRST_TOUCH = ("webinar_attendance", QUALITY_WEBINAR, WEBINAR_DAY_UTC, WEBINAR_DAY_UTC)
# fct_stage_transitions: stage_code, entered_at, evidence_system, evidence_record_id
INQUIRY = ("inquiry", WEBINAR_DAY_UTC, "event_attendee", "W-TIE-1")


def _registration(registration_id: str, event: str, registered: str) -> dict[str, str]:
    return {
        "申込ID": registration_id,
        "イベント名": event,
        "イベント種別": "ウェビナー",
        "開催日": "2026/06/10",
        "会社名": "株式会社エッジ精機",
        "氏名": "山田 次郎",
        "メールアドレス": EMAIL,
        "参加ステータス": "参加",
        "登録日時": registered,
    }


def simultaneous_webinars(landing: Path) -> None:
    write_export(
        landing,
        "raw_events.event_attendee",
        "attendees_FY2026_ties.csv",
        [
            _registration("W-TIE-1", QUALITY_WEBINAR, "2026/06/01 10:00"),
            _registration("W-TIE-2", DX_WEBINAR, "2026/06/02 10:00"),
            _registration("W-TIE-3", DX_WEBINAR, ""),
        ],
    )


def _rows_of(tables: dict[str, Any], name: str, columns: tuple[str, ...]) -> list[tuple]:
    table = tables[name]
    at = [table.columns.index(c) for c in ("person_id", *columns)]
    return [tuple(row[i] for i in at[1:]) for row in table.rows if row[at[0]] == PERSON_ID]


def tie_differences(tables: dict[str, Any]) -> list[str]:
    """What the published tables of any engine (tests/engine_equality Tables) get wrong
    about Jiro against the hand-computed values."""
    problems = []
    first = _rows_of(
        tables,
        "dim_persons",
        ("first_touch_type", "first_touch_campaign", "first_touch_at", "inquiry_at"),
    )
    if first != [FIRST_TOUCH]:
        problems.append(f"dim_persons: {first}")
    inquiry = _rows_of(
        tables,
        "fct_stage_transitions",
        ("stage_code", "entered_at", "evidence_system", "evidence_record_id"),
    )
    if [row for row in inquiry if row[0] == "inquiry"] != [INQUIRY]:
        problems.append(f"fct_stage_transitions: {inquiry}")
    return problems

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

Two CRM accounts share the website tie-trading.example: one account, whose CRM id is the
highest of its records' ids in byte order (as DuckDB and Spark compare strings):
'001TIEa000000001' (a = 0x61) above '001TIEB000000002' (B = 0x42). A PostgreSQL database
whose default collation is en-US would say the opposite (a before b): the raw tables'
text columns are created `collate "C"` there (orchestration/engines/postgres_engine.py),
and one of the PostgreSQL builds runs on such a database.

One Account export lists 001TIED000000004 (website one-file-twice.example) twice, with
the same last-modified time: 900 employees on line 4, then 40 on line 5. Staging keeps the
later line: the account has 40 employees (the highest, 900, would be wrong too).

Ivan Ivanov (Иван Иванов) is a marketing contact (email, company "Ivanov Trading"); the
attendee list of an event (CP932, which holds Cyrillic but no umlauts) writes him in
capitals, family name first and without an email: "ИВАНОВ ИВАН". Names match with every
letter lower-cased (ивановиван = ивановиван), so the attendance is his: 2 source records,
matched by exact email, first touch his webinar on 2026-06-17 (00:00 Asia/Tokyo =
2026-06-16 15:00 UTC). Lower-casing ASCII letters only (as PostgreSQL's C collation does)
would leave "ИВАНОВИВАН" against "Ивановиван": an unmatched attendee, and Ivan with 1
record and no touch.
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

ACCOUNT_DOMAIN = "tie-trading.example"
ACCOUNT_ID = hashlib.md5(ACCOUNT_DOMAIN.encode()).hexdigest()
# dim_accounts: account_domain, crm_account_id, source_records
ACCOUNT = (ACCOUNT_DOMAIN, "001TIEa000000001", 2)

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


TWICE_DOMAIN = "one-file-twice.example"
TWICE_ID = hashlib.md5(TWICE_DOMAIN.encode()).hexdigest()
# dim_accounts: account_domain, crm_account_id, number_of_employees
TWICE = (TWICE_DOMAIN, "001TIED000000004", 40)


def _account(
    account_id: str, name: str, domain: str = ACCOUNT_DOMAIN, employees: str = ""
) -> dict[str, str]:
    return {
        "Id": account_id,
        "Name": name,
        "NumberOfEmployees": employees,
        "Website": f"https://www.{domain}/",
        "IsDeleted": "false",
        "CreatedDate": "2026-06-01T00:00:00.000Z",
        "LastModifiedDate": "2026-06-01T00:00:00.000Z",
    }


def case_differing_accounts(landing: Path) -> None:
    write_export(
        landing,
        "raw_salesforce.account",
        "Account_ties.csv",
        [
            _account("001TIEB000000002", "Tie Trading"),
            _account("001TIEa000000001", "Tie Trading"),
            _account("001TIED000000004", "Twice Kogyo", TWICE_DOMAIN, "900"),
            _account("001TIED000000004", "Twice Kogyo", TWICE_DOMAIN, "40"),
        ],
    )


def land_ties(landing: Path) -> None:
    simultaneous_webinars(landing)
    case_differing_accounts(landing)
    capitalized_attendee(landing)


IVAN_EMAIL = "ivan.ivanov@ivanov-trading.example"
IVAN_ID = hashlib.md5(IVAN_EMAIL.encode()).hexdigest()
EXPORT_WEBINAR = "ウェビナー「輸出入門」"
# dim_persons: match_method, source_records, first_touch_type, first_touch_campaign,
# first_touch_at
IVAN = ("exact_email", 2, "webinar_attendance", EXPORT_WEBINAR, datetime(2026, 6, 16, 15))


def capitalized_attendee(landing: Path) -> None:
    write_export(
        landing,
        "raw_hubspot.contact",
        "contacts_ties.csv",
        [
            {
                "Record ID": "9900001",
                "Email": IVAN_EMAIL,
                "First Name": "Иван",
                "Last Name": "Иванов",
                "Company Name": "Ivanov Trading",
                "Lifecycle Stage": "lead",
                "Create Date": "2026-06-01 09:00:00",
                "Last Modified Date": "2026-06-01 09:00:00",
            }
        ],
    )
    write_export(
        landing,
        "raw_events.event_attendee",
        "attendees_FY2026_capitals.csv",
        [
            {
                "申込ID": "W-CAPS-1",
                "イベント名": EXPORT_WEBINAR,
                "イベント種別": "ウェビナー",
                "開催日": "2026/06/17",
                "会社名": "Ivanov Trading",
                "氏名": "ИВАНОВ ИВАН",
                "参加ステータス": "参加",
                "登録日時": "2026/06/05 09:00",
            }
        ],
    )


def _rows_of(
    tables: dict[str, Any], name: str, key: dict[str, str], columns: tuple[str, ...]
) -> list[tuple]:
    """`columns` of the rows of table `name` whose `key` columns hold the given values."""
    table = tables[name]
    at = {c: table.columns.index(c) for c in (*key, *columns)}
    return [
        tuple(row[at[c]] for c in columns)
        for row in table.rows
        if all(row[at[c]] == value for c, value in key.items())
    ]


# (table, the rows' key, columns, the hand-computed rows)
EXPECTED: list[tuple[str, dict[str, str], tuple[str, ...], list[tuple]]] = [
    (
        "dim_persons",
        {"person_id": PERSON_ID},
        ("first_touch_type", "first_touch_campaign", "first_touch_at", "inquiry_at"),
        [FIRST_TOUCH],
    ),
    (
        "fct_stage_transitions",
        {"person_id": PERSON_ID, "stage_code": "inquiry"},
        ("stage_code", "entered_at", "evidence_system", "evidence_record_id"),
        [INQUIRY],
    ),
    (
        "dim_accounts",
        {"account_id": ACCOUNT_ID},
        ("account_domain", "crm_account_id", "source_records"),
        [ACCOUNT],
    ),
    (
        "dim_accounts",
        {"account_id": TWICE_ID},
        ("account_domain", "crm_account_id", "number_of_employees"),
        [TWICE],
    ),
    (
        "dim_persons",
        {"person_id": IVAN_ID},
        ("match_method", "source_records", "first_touch_type", "first_touch_campaign",
         "first_touch_at"),
        [IVAN],
    ),
]  # fmt: skip


def tie_differences(tables: dict[str, Any]) -> list[str]:
    """What the published tables of any engine (tests/engine_equality Tables) get wrong
    about Jiro, the two hand-made accounts and Ivan against the hand-computed values."""
    problems = []
    for name, key, columns, expected in EXPECTED:
        found = _rows_of(tables, name, key, columns)
        if found != expected:
            problems.append(f"{name} {key}: {found} != {expected}")
    return problems

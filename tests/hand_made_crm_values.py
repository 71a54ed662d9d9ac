"""Hand-made CRM values nobody planned for (tests/test_crm_value_coverage.py, and beside
every engine's reference landing: tests/engine_builds.py).

By hand, from the files below and `crm_lead_statuses` / `opportunity_stages` in
funnel_definitions.yml:
- lead 00QNEW1 is in 'Nurture - Long Term' (the definitions name 'Nurture' only) and its
  history has one change to it: 2 records; lead 00QNEW2 is in 'Working - Contacted'
  (named: sal), with its change to it: silent;
- deal 006NEW is in 'Negotiation/Review' (not in the agreed order), its history moved it
  from 'Prospecting' (named) to 'Negotiation/Review': 2 records.
So: two unknown values, 2 records each, 4 in all (`EXPECTED`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestration.quality.crm_values import CHECK, COVERAGE
from tests.hand_made_landing import write_export

EXPECTED = {
    ("lead_status", "Nurture - Long Term", 2),
    ("opportunity_stage", "Negotiation/Review", 2),
}


def land_unplanned_values(landing: Path) -> None:
    lead = {"IsConverted": "false", "IsDeleted": "false", "OwnerId": "005X"}
    write_export(
        landing,
        "raw_salesforce.lead",
        "Lead_20260516.csv",
        [
            {**lead, "Id": "00QNEW1", "LastName": "Mori", "Email": "mori@example.com",
             "Company": "Mori KK", "Status": "Nurture - Long Term",
             "CreatedDate": "2026-05-13T00:00:00.000Z",
             "LastModifiedDate": "2026-05-14T00:00:00.000Z"},
            {**lead, "Id": "00QNEW2", "LastName": "Ueda", "Email": "ueda@example.com",
             "Company": "Ueda KK", "Status": "Working - Contacted",
             "CreatedDate": "2026-05-13T00:00:00.000Z",
             "LastModifiedDate": "2026-05-14T00:00:00.000Z"},
        ],
    )  # fmt: skip
    write_export(
        landing,
        "raw_salesforce.lead_history",
        "LeadHistory_20260516.csv",
        [
            {"Id": "017N1", "LeadId": "00QNEW1", "Field": "Status",
             "OldValue": "Open - Not Contacted", "NewValue": "Nurture - Long Term",
             "CreatedById": "005X", "CreatedDate": "2026-05-14T00:00:00.000Z"},
            {"Id": "017N2", "LeadId": "00QNEW2", "Field": "Status",
             "OldValue": "Open - Not Contacted", "NewValue": "Working - Contacted",
             "CreatedById": "005X", "CreatedDate": "2026-05-14T00:00:00.000Z"},
        ],
    )  # fmt: skip
    write_export(
        landing,
        "raw_salesforce.opportunity",
        "Opportunity_20260516.csv",
        [
            {"Id": "006NEW", "Name": "Mori KK - pilot", "StageName": "Negotiation/Review",
             "Amount": "5000", "Probability": "70", "CloseDate": "2026-07-31",
             "IsClosed": "false", "IsWon": "false", "OwnerId": "005X", "IsDeleted": "false",
             "CreatedDate": "2026-05-14T00:00:00.000Z",
             "LastModifiedDate": "2026-05-15T00:00:00.000Z"},
        ],
    )  # fmt: skip
    write_export(
        landing,
        "raw_salesforce.opportunity_history",
        "OpportunityHistory_20260516.csv",
        [
            {"Id": "008N1", "OpportunityId": "006NEW", "StageName": "Prospecting",
             "Amount": "5000", "Probability": "10", "CloseDate": "2026-07-31",
             "CreatedById": "005X", "IsDeleted": "false",
             "CreatedDate": "2026-05-14T00:00:00.000Z"},
            {"Id": "008N2", "OpportunityId": "006NEW", "StageName": "Negotiation/Review",
             "Amount": "5000", "Probability": "70", "CloseDate": "2026-07-31",
             "CreatedById": "005X", "IsDeleted": "false",
             "CreatedDate": "2026-05-15T00:00:00.000Z"},
        ],
    )  # fmt: skip


def crm_value_differences(result: Any) -> list[str]:
    """What the run's `unknown_crm_values` evaluation says other than `EXPECTED`."""
    evaluations = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == CHECK and e.asset_key == COVERAGE
    ]
    if len(evaluations) != 1:
        return [f"{len(evaluations)} evaluations of {CHECK}"]
    (evaluation,) = evaluations
    text = evaluation.description or ""
    differences = [
        f"{kind} {value!r}: {records} records not reported"
        for kind, value, records in sorted(EXPECTED)
        if f"{kind} {value!r}: {records} records" not in text
    ]
    if evaluation.passed or evaluation.severity.value != "WARN":
        differences.append(f"passed={evaluation.passed}, severity={evaluation.severity}")
    if evaluation.metadata["unknown_values"].value != len(EXPECTED):
        differences.append(f"unknown values: {evaluation.metadata['unknown_values'].value}")
    records = sum(n for _, _, n in EXPECTED)
    if evaluation.metadata["unknown_records"].value != records:
        differences.append(f"unknown records: {evaluation.metadata['unknown_records'].value}")
    return differences

"""A proposal on hand-made exports (not the generator's): every expected value below is
worked out by hand from the definitions file (1.4.0) and the proposed change.

The landing, as the systems write it:
- account 001K (CRM): 工場サンプル, Manufacturing, 500 employees, www.kojo-example.co.jp
  -> industry manufacturing, size band 300-999: a fit account;
- 山田太郎 (taro.yamada@kojo-example.co.jp), HubSpot contact, title 課長 = manager (10
  points): 資料請求 form 2026-06-01 10:00 JST (document_request, 30 points, an inquiry),
  ホワイトペーパー form 2026-06-10 14:00 JST (content_download, 15). Score at the second
  touch: 30 + 15 + 10 = 55 < 60: no MQL today;
- 佐藤次郎 (jiro.sato@kojo-example.co.jp), title 担当 = staff (0 points), the same two
  forms a day later each: 30 + 15 = 45: no MQL at 60, nor at 55;
- deal 006A closed lost "担当者の異動で白紙" (no agreed pattern: unclassified) and deal
  006B closed lost "他社製品に決定" (他社: competitor), both closed 2026-07-15 JST.

The proposal: mql_rule.threshold 60 -> 55, and 「異動」 added to no_decision's patterns.
By hand: Taro gains an MQL at his second touch (2026-06-10 05:00 UTC); Jiro stays; deal
006A moves unclassified -> no_decision, 006B stays competitor; marketing's FY2026 (April
start) and FY2026-H1 waterfall: MQLs 0 -> 1; sales' 2026-07 lost reasons: no_decision
0 -> 1 and unclassified 1 -> 0; the unclassified share of lost deals 1/2 = 0.5 today
(above the agreed 0.1: the gate fails) and 0/2 = 0 proposed (passes).

And the agreed file proposed again (its keys reordered) builds both sides for real and
reports zero differences.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from dagster import materialize

from orchestration import cli
from orchestration.common_language.load import DEFAULT_PATH
from orchestration.ingest.assets import build_ingest_assets
from orchestration.proposals.run import DATABASE_NAME, PROPOSALS_FOLDER
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.settings import ENV_DATA_DIR, ENV_WAREHOUSE
from tests.hand_made_landing import write_export
from tests.read_duckdb import fetch_all

DOMAIN = "kojo-example.co.jp"
TARO = hashlib.md5(f"taro.yamada@{DOMAIN}".encode()).hexdigest()  # dbt.hash: md5 hex
JIRO = hashlib.md5(f"jiro.sato@{DOMAIN}".encode()).hexdigest()
TARO_MQL_AT = datetime(2026, 6, 10, 5, 0)  # 14:00 JST


def _land(landing: Path) -> None:
    write_export(
        landing,
        "raw_salesforce.account",
        "Account_20260801.csv",
        [
            {
                "Id": "001K",
                "Name": "株式会社工場サンプル",
                "Industry": "Manufacturing",
                "NumberOfEmployees": "500",
                "Website": f"https://www.{DOMAIN}",
                "IsDeleted": "false",
                "CreatedDate": "2026-05-01T00:00:00.000Z",
                "LastModifiedDate": "2026-05-01T00:00:00.000Z",
            }
        ],
    )
    write_export(
        landing,
        "raw_hubspot.form",
        "forms_20260801.csv",
        [
            {"Form ID": "f-doc", "Form Name": "資料請求（製品カタログ）", "Form Type": "HUBSPOT"},
            {"Form ID": "f-wp", "Form Name": "ホワイトペーパー「DX白書」", "Form Type": "HUBSPOT"},
        ],
    )
    people = [
        ("201", "taro.yamada", "太郎", "山田", "課長", "2026-06-01", "2026-06-10"),
        ("202", "jiro.sato", "次郎", "佐藤", "担当", "2026-06-02", "2026-06-11"),
    ]
    write_export(
        landing,
        "raw_hubspot.contact",
        "contacts_20260801.csv",
        [
            {
                "Record ID": record,
                "Email": f"{local}@{DOMAIN}",
                "First Name": first,
                "Last Name": last,
                "Company Name": "工場サンプル",
                "Job Title": title,
                "Industry": "製造業",
                "Lifecycle Stage": "lead",
                "Create Date": f"{doc_day} 10:00:00",
                "Last Modified Date": f"{wp_day} 14:00:00",
            }
            for record, local, first, last, title, doc_day, wp_day in people
        ],
    )
    write_export(
        landing,
        "raw_hubspot.contact_form_submission",
        "form_submissions_20260801.csv",
        [
            {
                "Conversion ID": f"cv-{record}-{form}",
                "Contact ID": record,
                "Form ID": form,
                "Email": f"{local}@{DOMAIN}",
                "Submitted At": at,
            }
            for record, local, *_, doc_day, wp_day in people
            for form, at in (("f-doc", f"{doc_day} 10:00:00"), ("f-wp", f"{wp_day} 14:00:00"))
        ],
    )
    deals = [("006A", "担当者の異動で白紙"), ("006B", "他社製品に決定")]
    write_export(
        landing,
        "raw_salesforce.opportunity",
        "Opportunity_20260801.csv",
        [
            {
                "Id": deal,
                "AccountId": "001K",
                "Name": f"工場サンプル {deal}",
                "StageName": "Closed Lost",
                "Amount": "2000000",
                "Probability": "0",
                "CloseDate": "2026-07-15",
                "IsClosed": "true",
                "IsWon": "false",
                "Lost_Reason__c": reason,
                "IsDeleted": "false",
                "CreatedDate": "2026-06-20T01:00:00.000Z",
                "LastModifiedDate": "2026-07-15T03:00:00.000Z",
            }
            for deal, reason in deals
        ],
    )
    write_export(
        landing,
        "raw_salesforce.opportunity_history",
        "OpportunityHistory_20260801.csv",
        [
            {
                "Id": f"008{deal}{n}",
                "OpportunityId": deal,
                "StageName": stage,
                "Amount": "2000000",
                "CloseDate": "2026-07-15",
                "IsDeleted": "false",
                "CreatedDate": at,
            }
            for deal, _ in deals
            for n, stage, at in (
                (1, "Prospecting", "2026-06-20T01:00:00.000Z"),
                (2, "Closed Lost", "2026-07-15T03:00:00.000Z"),
            )
        ],
    )


def _proposal(tmp_path: Path) -> Path:
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    document["mql_rule"]["threshold"] = 55
    for category in document["lost_reasons"]["categories"]:
        if category["code"] == "no_decision":
            category["patterns"].append("異動")
    path = tmp_path / "proposed.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made exports ingested through Dagster (a proposal reads the raw tables)."""
    root = tmp_path_factory.mktemp("hand_made_proposal")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    _land(landing)
    ingested = materialize(
        build_ingest_assets(),
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "landing": LandingResource(root=str(landing)),
        },
        raise_on_error=False,
    )
    assert ingested.success
    return warehouse


def _propose(warehouse: Path, proposed: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`common-funnel propose` on the command line; the proposal database it wrote."""
    monkeypatch.setenv(ENV_DATA_DIR, str(data))
    monkeypatch.setenv(ENV_WAREHOUSE, str(warehouse))
    assert cli.main(["propose", str(proposed)]) == 0
    (database,) = (data / PROPOSALS_FOLDER).glob(f"*/{DATABASE_NAME}")
    return database


def test_a_proposal_on_hand_made_exports_moves_what_was_computed_by_hand(
    warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    database = _propose(warehouse, _proposal(tmp_path), tmp_path / "data", monkeypatch)
    printed = capsys.readouterr().out
    assert "mql_rule.threshold: 60 → 55" in printed
    assert "Persons whose MQL moved: mql_gained 1" in printed
    assert "Deals that moved: lost_reason_category_changed 1" in printed

    assert [text for (text,) in fetch_all(database, "select text from rule_changes")] == [
        "mql_rule.threshold: 60 → 55",
        "lost_reasons.categories 意思決定されず (no_decision).patterns: 「異動」 added",
    ]
    persons = fetch_all(
        database,
        "select person_id, base_first_mql_at, proposed_first_mql_at, base_mql_count,"
        " proposed_mql_count, change, contains(rules, 'mql_rule.threshold')"
        " from person_changes",
    )
    assert persons == [(TARO, None, TARO_MQL_AT, 0, 1, "mql_gained", True)]
    moved_lifecycles = fetch_all(
        database, "select distinct person_id, cycle_number from lifecycle_changes"
    )
    assert moved_lifecycles == [(TARO, 1)]
    assert JIRO not in {p for (p, _) in moved_lifecycles}
    deals = fetch_all(
        database,
        "select opportunity_id, base_outcome, proposed_outcome, base_lost_reason_category,"
        " proposed_lost_reason_category, change from opportunity_changes",
    )
    assert deals == [
        ("006A", "lost", "lost", "unclassified", "no_decision", "lost_reason_category_changed")
    ]

    marketing = fetch_all(
        database,
        "select grain, period_label, current_value, proposed_value from team_headlines"
        " where team = 'marketing' and metric = 'metric_funnel_waterfall'"
        " and measure = 'mqls' and difference <> 0 order by grain",
    )
    assert marketing == [("fiscal_year", "FY2026", 0, 1), ("half_year", "FY2026-H1", 0, 1)]
    sales = fetch_all(
        database,
        "select regexp_extract(slice, 'lost_reason_category=([a-z_]+)', 1), current_value,"
        " proposed_value from team_headlines where team = 'sales'"
        " and metric = 'metric_lost_reasons' and measure = 'lost_deals'"
        " and grain = 'month' and period_label = '2026-07' and difference <> 0 order by 1",
    )
    assert sales == [("no_decision", 0, 1), ("unclassified", 1, 0)]
    gate = fetch_all(
        database, "select side, value, limit_value, passes from gate_figures order by side"
    )
    assert gate == [("base", 0.5, 0.1, False), ("proposed", 0.0, 0.1, True)]


def test_an_unchanged_proposal_reports_zero_differences(
    warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """The agreed file proposed again (reordered keys): two real builds, nothing moves."""
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    same = tmp_path / "same.yml"
    same.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=True), "utf-8")
    database = _propose(warehouse, same, tmp_path / "data", monkeypatch)
    printed = capsys.readouterr().out
    assert "No rule changes" in printed
    assert "Persons whose MQL moved: none" in printed
    assert "Deals that moved: none" in printed
    for table in ("rule_changes", "person_changes", "lifecycle_changes", "opportunity_changes"):
        assert fetch_all(database, f"select count(*) from {table}") == [(0,)], table
    compared, differing = fetch_all(
        database,
        "select count(*), count(*) filter (where current_value is distinct from"
        " proposed_value) from metric_changes",
    )[0]
    assert compared > 100 and differing == 0
    outcomes = fetch_all(
        database,
        "select side, test, status, failures from test_outcomes order by test, side",
    )
    assert len(outcomes) > 100
    base = [(t, s, f) for side, t, s, f in outcomes if side == "base"]
    assert base == [(t, s, f) for side, t, s, f in outcomes if side == "proposed"]

"""Bad input gets a clear error and loses nothing: each case through a real Dagster run."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from dagster import AssetKey

from orchestration.ingest.contract import load_contract
from tests.conftest import run_ingest
from tests.read_duckdb import fetch_all

ACCOUNT = AssetKey(["raw_salesforce", "account"])
CARDS = AssetKey(["raw_events", "business_card"])
TARGETS = AssetKey(["raw_target_lists", "target_account"])
ACCOUNT_HEADER = (
    "Id,Name,Industry,NumberOfEmployees,Website,BillingState,Type,OwnerId,"
    "IsDeleted,CreatedDate,LastModifiedDate"
)
CARD_HEADER = (
    "名刺ID,会社名,部署名,役職,氏名,メールアドレス,電話番号,交換日,交換場所,所有者,登録日時"
)


def account_row(account_id: str, employees: str = "120", name: str = "Acme") -> str:
    return (
        f"{account_id},{name},Technology,{employees},acme.example,東京都,Prospect,005X,"
        "false,2026-01-01T10:00:00.000Z,2026-01-02T10:00:00.000Z"
    )


def land(root: Path, folder: str, name: str, content: bytes) -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def failure_text(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(
        str(event.event_specific_data.error.message)  # type: ignore[union-attr]
        for event in result.all_events
        if event.event_type_value == "STEP_FAILURE"
    )


def test_missing_required_column_fails_naming_file_and_column(landing: Path, tmp_path: Path):
    header = ACCOUNT_HEADER.replace(",Industry", "")
    land(landing, "salesforce/Account", "a_bad.csv", f"{header}\n001A,Acme,1\n".encode())
    land(
        landing,
        "salesforce/Account",
        "b_good.csv",
        f"{ACCOUNT_HEADER}\n{account_row('001B')}\n".encode(),
    )
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert not result.success
    message = failure_text(result)
    assert "salesforce/Account/a_bad.csv" in message and "Industry" in message
    # the good file still loaded, the bad one loaded nothing and is on record
    assert fetch_all(warehouse, "select id from raw_salesforce.account") == [("001B",)]
    failures = fetch_all(warehouse, "select source_file, error from ingest.file_failures")
    assert [f[0] for f in failures] == ["salesforce/Account/a_bad.csv"]
    assert "Industry" in failures[0][1]


def test_extra_columns_are_kept_and_reported(landing: Path, tmp_path: Path):
    land(
        landing,
        "salesforce/Account",
        "a.csv",
        f"{ACCOUNT_HEADER},Region__c\n{account_row('001A')},Kanto\n".encode(),
    )
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert result.success
    extra = fetch_all(warehouse, "select _extra_columns from raw_salesforce.account")[0][0]
    assert json.loads(extra) == {"Region__c": "Kanto"}
    assert fetch_all(warehouse, "select extra_columns from ingest.file_loads") == [(["Region__c"],)]
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["extra_columns"].value == ["Region__c"]


def test_empty_and_header_only_files_are_fine(landing: Path, tmp_path: Path):
    land(landing, "salesforce/Account", "empty.csv", b"")
    land(landing, "salesforce/Account", "header_only.csv", f"{ACCOUNT_HEADER}\r\n".encode())
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [ACCOUNT]).success
    assert fetch_all(
        warehouse,
        "select source_file, rows_read, rows_loaded, rows_rejected"
        " from ingest.file_loads order by 1",
    ) == [
        ("salesforce/Account/empty.csv", 0, 0, 0),
        ("salesforce/Account/header_only.csv", 0, 0, 0),
    ]


def test_bad_values_are_quarantined_with_line_and_reason(landing: Path, tmp_path: Path):
    content = (
        "\n".join(
            [
                ACCOUNT_HEADER,
                account_row("001A"),
                account_row("001B", employees="about 300"),
                account_row("", name="No id"),
                account_row("001C", name='"Multi\nline"'),
                account_row("001D") + ",unexpected",
                account_row("001E"),
            ]
        )
        + "\n"
    )
    land(landing, "salesforce/Account", "a.csv", content.encode())
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [ACCOUNT]).success
    loaded = fetch_all(warehouse, "select id, _source_line from raw_salesforce.account order by 1")
    assert loaded == [("001A", 2), ("001C", 5), ("001E", 7)]
    rejected = fetch_all(warehouse, "select line, reason from ingest.rejected_rows order by 1")
    assert [r[0] for r in rejected] == [3, 4, 6]
    assert "NumberOfEmployees: cannot read about 300 as integer" in rejected[0][1]
    assert "Id: empty key" in rejected[1][1]
    assert "TOO MANY COLUMNS" in rejected[2][1]
    # the quarantine keeps each record exactly as it was written
    assert fetch_all(warehouse, "select line, raw_text from ingest.rejected_rows order by 1") == [
        (3, account_row("001B", employees="about 300")),
        (4, account_row("", name="No id")),
        (6, account_row("001D") + ",unexpected"),
    ]
    assert fetch_all(
        warehouse, "select rows_read, rows_loaded, rows_rejected from ingest.file_loads"
    ) == [(6, 3, 3)]


def test_cp932_decodes_losslessly_and_bad_bytes_fail_the_file(landing: Path, tmp_path: Path):
    good = f"{CARD_HEADER}\r\nM1,㈱髙島工業,営業部,部長,髙橋 太郎,t@x.jp,,2025/05/12,DX展①,佐藤,2025/05/13 09:00\r\n"
    land(landing, "events/business_cards", "a.csv", good.encode("cp932"))
    land(
        landing,
        "events/business_cards",
        "b.csv",
        good.replace("M1", "M2").encode("cp932")[:-30] + b"\x82\xff" + b"\r\n",
    )
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [CARDS])
    assert not result.success
    assert "events/business_cards/b.csv: not valid cp932" in failure_text(result)
    rows = fetch_all(
        warehouse,
        "select company_name, full_name, exchange_place, registered_at"
        " from raw_events.business_card",
    )
    assert rows[0][:3] == ("㈱髙島工業", "髙橋 太郎", "DX展①")
    assert str(rows[0][3]) == "2025-05-13 00:00:00"  # 09:00 JST is midnight UTC


def test_a_card_export_in_utf8_without_a_mark_loads_as_utf8(landing: Path, tmp_path: Path):
    """A scanner set to UTF-8 writes no byte-order mark: the file is not CP932 but is valid
    UTF-8 throughout, so it is read as UTF-8 (no text is both), and the ledger says so."""
    card = "M1,㈱髙島工業,営業部,部長,髙橋 太郎,t@x.jp,,2025/05/12,DX展①,佐藤,2025/05/13 09:00"
    land(landing, "events/business_cards", "u.csv", f"{CARD_HEADER}\n{card}\n".encode())
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [CARDS]).success
    assert fetch_all(
        warehouse, "select company_name, full_name, exchange_place from raw_events.business_card"
    ) == [("㈱髙島工業", "髙橋 太郎", "DX展①")]
    assert fetch_all(
        warehouse, "select encoding, rows_read, rows_loaded, rows_rejected from ingest.file_loads"
    ) == [("utf-8", 1, 1, 0)]


def test_utf8_bom_header_is_read(landing: Path, tmp_path: Path):
    table = next(t for t in load_contract() if t.name == "target_account")
    header = ",".join(c.header for c in table.columns)
    row = "TL1,リスト,㈱テスト,製造業,50〜299名,120,https://t.example,営業部,部長,髙木 健,k@t.example,2025/04/01"
    land(landing, "target_lists", "t.csv", f"\ufeff{header}\r\n{row}\r\n".encode())
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [TARGETS]).success
    assert fetch_all(
        warehouse,
        "select list_row_id, company_name, purchased_on::varchar"
        " from raw_target_lists.target_account",
    ) == [("TL1", "㈱テスト", "2025-04-01")]


def test_unaccountable_quoting_refuses_the_file(landing: Path, tmp_path: Path):
    # Old-Mac line ends: readers disagree on where records end, so nothing is guessed.
    content = f"{ACCOUNT_HEADER}\r{account_row('001A')}\r{account_row('001B')}\r"
    land(landing, "salesforce/Account", "mac.csv", content.encode())
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert not result.success
    assert "salesforce/Account/mac.csv" in failure_text(result)
    assert "lines end with CR alone" in failure_text(result)  # and what to do
    assert fetch_all(warehouse, "select count(*) from raw_salesforce.account") == [(0,)]
    assert fetch_all(warehouse, "select count(*) from ingest.file_loads") == [(0,)]


@pytest.mark.parametrize(("separator", "named"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_another_character_is_refused_saying_so(
    landing: Path, tmp_path: Path, separator: str, named: str
):
    """Excel writes semicolons where the locale's list separator is one (much of Europe)."""
    lines = [ACCOUNT_HEADER, account_row("001A")]
    content = "\n".join(line.replace(",", separator) for line in lines) + "\n"
    land(landing, "salesforce/Account", "europe.csv", content.encode())
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert not result.success
    message = failure_text(result)
    assert "salesforce/Account/europe.csv: missing required column(s)" in message
    assert f"separated by {named}" in message
    assert fetch_all(warehouse, "select count(*) from ingest.file_failures") == [(1,)]


OPPORTUNITY = AssetKey(["raw_salesforce", "opportunity"])
OPPORTUNITY_HEADER = (
    "Id,AccountId,Name,StageName,Amount,Probability,CloseDate,IsClosed,IsWon,LeadSource,"
    "Lost_Reason__c,CampaignId,OwnerId,IsDeleted,CreatedDate,LastModifiedDate"
)


def opportunity_row(opportunity_id: str, amount: str) -> str:
    return (
        f"{opportunity_id},001A,Deal,Proposal,{amount},60,2026-01-31,false,false,Web,,,"
        "005X,false,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z"
    )


def test_numbers_are_taken_only_as_written_never_rounded_or_infinite(landing: Path, tmp_path: Path):
    """By hand: only 120 and -3 are whole numbers; only 1200000.5, 1.5e3 and .5 are finite
    plain decimals. Everything else is quarantined with the column and the text."""
    employees = ["120", "12.7", "0x10", "1_000", "NaN", " -3 "]
    accounts = [account_row(f"001{i}", employees=e) for i, e in enumerate(employees)]
    land(
        landing,
        "salesforce/Account",
        "a.csv",
        ("\n".join([ACCOUNT_HEADER, *accounts]) + "\n").encode(),
    )
    amounts = ["1200000.5", "NaN", "Infinity", "-inf", "1e400", "1.5e3", ".5", "0x10"]
    deals = [opportunity_row(f"006{i}", a) for i, a in enumerate(amounts)]
    land(
        landing,
        "salesforce/Opportunity",
        "o.csv",
        ("\n".join([OPPORTUNITY_HEADER, *deals]) + "\n").encode(),
    )
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [ACCOUNT, OPPORTUNITY]).success
    assert fetch_all(
        warehouse, "select id, number_of_employees from raw_salesforce.account order by 1"
    ) == [("0010", 120), ("0015", -3)]
    assert fetch_all(warehouse, "select id, amount from raw_salesforce.opportunity order by 1") == [
        ("0060", 1200000.5),
        ("0065", 1500.0),
        ("0066", 0.5),
    ]
    reasons = dict(
        fetch_all(
            warehouse,
            "select line, reason from ingest.rejected_rows where source_file "
            "like '%a.csv' order by 1",
        )
    )
    assert reasons[3] == "NumberOfEmployees: cannot read 12.7 as integer"
    assert set(reasons) == {3, 4, 5, 6}
    rejected_amounts = fetch_all(
        warehouse,
        "select count(*) from ingest.rejected_rows where source_file like '%o.csv' "
        "and reason like 'Amount: cannot read %'",
    )
    assert rejected_amounts == [(5,)]
    assert fetch_all(
        warehouse,
        "select source_file, rows_read, rows_loaded, rows_rejected from ingest.file_loads "
        "order by 1",
    ) == [("salesforce/Account/a.csv", 6, 2, 4), ("salesforce/Opportunity/o.csv", 8, 3, 5)]


def test_header_names_match_ignoring_case_and_blanks(landing: Path, tmp_path: Path):
    header = ACCOUNT_HEADER.replace("Website", "WEBSITE").replace("Name", " name ")
    land(landing, "salesforce/Account", "a.csv", f"{header}\n{account_row('001A')}\n".encode())
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [ACCOUNT]).success
    assert fetch_all(
        warehouse, "select id, name, website, _extra_columns from raw_salesforce.account"
    ) == [("001A", "Acme", "acme.example", None)]


def test_a_repeated_header_line_is_quarantined_not_loaded(landing: Path, tmp_path: Path):
    content = "\n".join([ACCOUNT_HEADER, account_row("001A"), ACCOUNT_HEADER, account_row("001B")])
    land(landing, "salesforce/Account", "a.csv", (content + "\n").encode())
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [ACCOUNT]).success
    assert fetch_all(warehouse, "select id from raw_salesforce.account order by 1") == [
        ("001A",),
        ("001B",),
    ]
    rejected = fetch_all(warehouse, "select line, reason from ingest.rejected_rows")
    assert len(rejected) == 1 and rejected[0][0] == 3
    assert rejected[0][1].startswith("the header line again")


def test_an_entry_that_cannot_be_read_is_on_record(landing: Path, tmp_path: Path):
    land(
        landing,
        "salesforce/Account",
        "b_good.csv",
        f"{ACCOUNT_HEADER}\n{account_row('001B')}\n".encode(),
    )
    (landing / "salesforce/Account/a_link.csv").symlink_to(tmp_path / "gone.csv")
    (landing / "salesforce/Account/c_folder.csv").mkdir()
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert not result.success
    assert "salesforce/Account/a_link.csv: a link to a missing file" in failure_text(result)
    assert fetch_all(warehouse, "select id from raw_salesforce.account") == [("001B",)]
    failures = fetch_all(
        warehouse, "select source_file, error from ingest.file_failures order by 1"
    )
    assert [f[0] for f in failures] == [
        "salesforce/Account/a_link.csv",
        "salesforce/Account/c_folder.csv",
    ]
    assert "a folder, not a file" in failures[1][1]


def test_a_bad_byte_in_a_small_utf8_file_names_line_and_byte(landing: Path, tmp_path: Path):
    good = f"{ACCOUNT_HEADER}\n{account_row('001A')}\n".encode()
    bad_line = account_row("001B", name="Acme").encode().replace(b"Acme", b"Ac\xffme")
    land(landing, "salesforce/Account", "a.csv", good + bad_line + b"\n")
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert not result.success
    message = failure_text(result)
    at = len(good) + bad_line.index(b"\xff")
    assert f"salesforce/Account/a.csv: not valid utf-8 at byte {at} (line 3)" in message


def test_a_file_mixing_crlf_and_lf_line_ends_loads(landing: Path, tmp_path: Path):
    rows = [account_row(f"00{i}") for i in range(1, 5)]
    content = f"{ACCOUNT_HEADER}\r\n{rows[0]}\n{rows[1]}\r\n{rows[2]}\n{rows[3]}\r\n"
    land(landing, "salesforce/Account", "a.csv", content.encode())
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [ACCOUNT]).success
    assert fetch_all(
        warehouse, "select id, _source_line, billing_state from raw_salesforce.account order by 1"
    ) == [("001", 2, "東京都"), ("002", 3, "東京都"), ("003", 4, "東京都"), ("004", 5, "東京都")]
    assert fetch_all(
        warehouse, "select rows_read, rows_loaded, rows_rejected from ingest.file_loads"
    ) == [(4, 4, 0)]


def test_a_nul_character_in_a_value_is_quarantined_with_line_and_column(
    landing: Path, tmp_path: Path
):
    """PostgreSQL cannot store U+0000 (DuckDB and Spark would): the row is quarantined on
    every engine, never loaded on one and refused by another."""
    rows = [account_row("001A"), account_row("001B", name="Ac\x00me"), account_row("001C")]
    land(
        landing,
        "salesforce/Account",
        "a.csv",
        (ACCOUNT_HEADER + "\n" + "\n".join(rows) + "\n").encode(),
    )
    warehouse = tmp_path / "w.duckdb"
    assert run_ingest(landing, warehouse, [ACCOUNT]).success
    loaded = fetch_all(warehouse, "select id, _source_line from raw_salesforce.account order by 1")
    assert loaded == [("001A", 2), ("001C", 4)]
    assert fetch_all(warehouse, "select line, reason, raw_text from ingest.rejected_rows") == [
        (3, "Name: a NUL character (U+0000)", rows[1])
    ]
    assert fetch_all(
        warehouse, "select rows_read, rows_loaded, rows_rejected from ingest.file_loads"
    ) == [(3, 2, 1)]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ((ACCOUNT_HEADER + "\n").encode("utf-16"), "UTF-16 text"),
        (gzip.compress((ACCOUNT_HEADER + "\n").encode()), "a gzip archive"),
        (b"PK\x03\x04" + bytes(range(128, 256)), "a ZIP archive (an Excel workbook?)"),
    ],
    ids=["utf-16", "gzip", "xlsx"],
)
def test_a_file_that_is_no_csv_text_is_refused_saying_what_it_looks_like(
    landing: Path, tmp_path: Path, content: bytes, kind: str
):
    land(landing, "salesforce/Account", "a.csv", content)
    result = run_ingest(landing, tmp_path / "w.duckdb", [ACCOUNT])
    assert not result.success
    message = failure_text(result)
    assert "salesforce/Account/a.csv: not valid utf-8 at byte" in message
    assert f"the file looks like {kind}" in message


def test_an_upper_case_csv_suffix_loads_and_hidden_or_other_files_are_reported(
    landing: Path, tmp_path: Path
):
    """`Account.CSV` (as some systems name their exports) is a CSV file like `.csv`; a hidden
    temporary copy and a text file are not loaded, and the asset names them as ignored."""
    rows = (ACCOUNT_HEADER + "\n" + account_row("001A") + "\n").encode()
    land(landing, "salesforce/Account", "Account_20261001.CSV", rows)
    land(landing, "salesforce/Account", ".Account_20261002.csv", rows)
    land(landing, "salesforce/Account", "notes.txt", b"exported by hand\n")
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert result.success
    assert fetch_all(
        warehouse, "select source_file, rows_read, rows_loaded from ingest.file_loads"
    ) == [("salesforce/Account/Account_20261001.CSV", 1, 1)]
    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["ignored_files"].value == [
        "salesforce/Account/.Account_20261002.csv",
        "salesforce/Account/notes.txt",
    ]

"""Daily full exports: each record version is stored once, and the result of a sequence of
days equals a rebuild from scratch of the same files.

Hand-made (the record-version cases): a user export with no last-modified column, where a
record changes and changes back, so only the load order says which copy is current:

- `User_20261001.csv`: u1 (Aiko, Sales), u2 (Ben, Sales)      -> 2 loaded
- `User_20261002.csv`: u1 (Aiko, Marketing), u2, u2 again      -> 1 loaded, 2 unchanged
- `User_20261003.csv`: u1 (Aiko, Sales), u2, u3 (Chie, Sales)  -> 1 loaded, 2 unchanged

The raw table holds 4 rows (u1 twice, u2 and u3 once); u1's current copy (the latest
loaded, as staging ranks them) is Sales again, from the third file, line 2; u2's is the
third file's line 3. (A file identical to an earlier one is a re-landed copy and not read
again at all: `ingest.duplicate_files`.)

Generated (the sequence): a sample, two days of 1% changes (`write_next_day`) and a late
correction to an old opportunity (a file dated before the second day, landed after it,
its amount set to 12,345,678 with a last-modified time of its own day) are ingested one
day per run and then built; a second warehouse builds the final landing zone in one run.
Every published table must hold the same rows in both, and the correction must show.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb

from orchestration.ingest.contract import load_contract
from orchestration.ingest.ledger import LEDGER_DDL
from orchestration.sample.generate import generate
from orchestration.sample.next_day import write_next_day
from tests.builds import build_everything, published_path
from tests.conftest import run_ingest
from tests.read_duckdb import fetch_all

USER_HEADER = ["Id", "Name", "Email", "Department", "UserRoleId", "IsActive", "CreatedDate"]
CORRECTED_AMOUNT = 12345678.0


def _user(user_id: str, name: str, department: str) -> list[str]:
    return [user_id, name, f"{name.lower()}@example.com", department, "r1", "true", "2026-01-05"]


def _land_users(landing: Path, day: str, rows: list[list[str]]) -> None:
    path = landing / "salesforce/User" / f"User_{day}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(USER_HEADER)
        writer.writerows(rows)


def _ledger(warehouse: Path) -> list[tuple]:
    """Per file: read, loaded, unchanged, rejected."""
    return fetch_all(
        warehouse,
        "select source_file, rows_read, rows_loaded, rows_unchanged, rows_rejected"
        " from ingest.file_loads order by source_file",
    )


def test_a_version_seen_before_is_not_stored_again_and_the_latest_copy_ranks_first(
    tmp_path: Path,
):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    aiko_sales, aiko_marketing = _user("u1", "Aiko", "Sales"), _user("u1", "Aiko", "Marketing")
    ben = _user("u2", "Ben", "Sales")
    _land_users(landing, "20261001", [aiko_sales, ben])
    _land_users(landing, "20261002", [aiko_marketing, ben, ben])
    # one run per day, as exports arrive
    assert run_ingest(landing, warehouse).success
    _land_users(landing, "20261003", [aiko_sales, ben, _user("u3", "Chie", "Sales")])
    assert run_ingest(landing, warehouse).success

    assert _ledger(warehouse) == [
        ("salesforce/User/User_20261001.csv", 2, 2, 0, 0),
        ("salesforce/User/User_20261002.csv", 3, 1, 2, 0),
        ("salesforce/User/User_20261003.csv", 3, 1, 2, 0),
    ]
    stored = fetch_all(
        warehouse,
        "select id, department, _source_file, _source_line from raw_salesforce.user"
        " order by id, _loaded_at",
    )
    assert stored == [
        ("u1", "Marketing", "salesforce/User/User_20261002.csv", 2),
        ("u1", "Sales", "salesforce/User/User_20261003.csv", 2),
        ("u2", "Sales", "salesforce/User/User_20261003.csv", 3),
        ("u3", "Sales", "salesforce/User/User_20261003.csv", 4),
    ]


def test_a_first_export_that_repeats_records_stores_each_version_once(tmp_path: Path):
    """Into an empty raw table (the first load), a file repeating records: lines 2-5 are
    u1 (Aiko, Sales), u2 (Ben, no department), u2 again, u1 again -> 4 read, 2 loaded, 2
    unchanged; each stored copy is the file's last (u1 line 5, u2 line 4), the missing
    department compared as equal to itself."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    aiko, ben = _user("u1", "Aiko", "Sales"), _user("u2", "Ben", "")
    _land_users(landing, "20261001", [aiko, ben, ben, aiko])
    assert run_ingest(landing, warehouse).success

    assert _ledger(warehouse) == [("salesforce/User/User_20261001.csv", 4, 2, 2, 0)]
    stored = fetch_all(
        warehouse,
        "select id, department, _source_line from raw_salesforce.user order by id",
    )
    assert stored == [("u1", "Sales", 5), ("u2", None, 4)]


def test_a_ledger_written_before_unchanged_rows_were_counted_is_upgraded(tmp_path: Path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    old_ddl = LEDGER_DDL.replace("    rows_unchanged bigint not null default 0,\n", "").replace(
        "rows_loaded + rows_unchanged + rows_rejected", "rows_loaded + rows_rejected"
    )
    assert old_ddl != LEDGER_DDL
    con = duckdb.connect(str(warehouse))
    con.execute(old_ddl)
    con.execute(
        "insert into ingest.file_loads values ('salesforce/User/old.csv',"
        " 'raw_salesforce.user', 'abc', 'utf-8', 10, 4, 3, 1, [], now(), null)"
    )
    con.close()
    _land_users(landing, "20261001", [_user("u1", "Aiko", "Sales")] * 2)
    assert run_ingest(landing, warehouse).success
    assert _ledger(warehouse) == [
        ("salesforce/User/User_20261001.csv", 2, 1, 1, 0),
        ("salesforce/User/old.csv", 4, 3, 0, 1),
    ]


def _correct_an_old_opportunity(landing: Path, day: date) -> str:
    """A correction export of one opportunity the days left alone; returns its id."""
    folder = landing / "salesforce/Opportunity"
    latest = sorted(folder.glob("Opportunity_*.csv"))[-1]
    with latest.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = [
            r for r in reader if r["Amount"] and not r["LastModifiedDate"].startswith("2026-10")
        ]
    row = sorted(rows, key=lambda r: r["Id"])[0]
    row["Amount"] = f"{CORRECTED_AMOUNT:.0f}"
    row["LastModifiedDate"] = f"{day:%Y-%m-%d}T12:00:00.000Z"
    with (folder / f"Opportunity_{day:%Y%m%d}_correction.csv").open(
        "w", encoding="utf-8", newline=""
    ) as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(row)
    return row["Id"]


def _differences(left: Path, right: Path) -> dict[str, int]:
    """Per published table (the log aside), rows in one file and not the other; doubles
    compared to 9 decimals (a sum's last bits follow the order rows are added in)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where database_name = 'l'"
                " and table_name <> 'publish_log' order by 1"
            ).fetchall()
        ]
        right_tables = {
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where database_name = 'r'"
                " and table_name <> 'publish_log'"
            ).fetchall()
        }
        assert set(tables) == right_tables and len(tables) > 10
        found = {}
        for table in tables:
            columns = ", ".join(
                f"round({name}, 9)" if kind in ("DOUBLE", "FLOAT") else name
                for name, kind in con.execute(
                    "select column_name, data_type from duckdb_columns()"
                    " where database_name = 'l' and table_name = ? order by column_index",
                    [table],
                ).fetchall()
            )
            (count,) = con.execute(
                f"select count(*) from ((select {columns} from l.{table}"
                f" except all select {columns} from r.{table})"
                f" union all (select {columns} from r.{table}"
                f" except all select {columns} from l.{table}))"
            ).fetchone() or (0,)
            found[table] = int(count)
        return found
    finally:
        con.close()


def test_a_sequence_of_daily_exports_equals_a_rebuild_of_the_same_files(tmp_path: Path):
    sample = generate(tmp_path / "daily" / "landing", tmp_path / "truth", 150, 11)
    landing, daily = sample.landing_dir, tmp_path / "daily" / "warehouse.duckdb"
    assert run_ingest(landing, daily).success
    write_next_day(landing, date(2026, 10, 2))
    assert run_ingest(landing, daily).success
    write_next_day(landing, date(2026, 10, 3))
    assert run_ingest(landing, daily).success
    # after the third day: a correction dated the second day arrives
    corrected = _correct_an_old_opportunity(landing, date(2026, 10, 2))
    assert build_everything(landing, daily).success

    rebuilt = tmp_path / "rebuild" / "warehouse.duckdb"
    shutil.copytree(landing, tmp_path / "rebuild" / "landing")
    assert build_everything(tmp_path / "rebuild" / "landing", rebuilt).success

    differences = _differences(published_path(daily), published_path(rebuilt))
    assert differences == dict.fromkeys(differences, 0)
    # the correction reached the published layer (so the comparison saw it)
    amounts = fetch_all(
        published_path(daily),
        f"select count(*) from fct_opportunities where amount = {CORRECTED_AMOUNT}",
    )
    assert amounts == [(1,)]
    current = fetch_all(
        daily,
        "select amount from staging.stg_salesforce__opportunities"
        f" where opportunity_id = '{corrected}'",
    )
    assert current == [(CORRECTED_AMOUNT,)]
    # both hold the same record versions, once each: the days stored only their changes
    for table in load_contract():
        columns = ", ".join(c.name for c in table.columns)
        versions = [
            fetch_all(
                w, f"select count(*), count(distinct ({columns})) from {table.qualified_name}"
            )
            for w in (daily, rebuilt)
        ]
        assert versions[0] == versions[1], table.qualified_name
        assert versions[0][0][0] == versions[0][0][1], table.qualified_name

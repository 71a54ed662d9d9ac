"""The ingest step loads several raw tables at once (COMMON_FUNNEL_INGEST_THREADS): the same
rows and ledger as one table after the other, and a refused file fails its own table
only. Each case through a real Dagster run."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey

from orchestration.ingest.contract import load_contract
from orchestration.sample.generate import GeneratedSample
from orchestration.settings import (
    ENV_INGEST_THREADS,
    MAX_DEFAULT_INGEST_THREADS,
    SettingsError,
    ingest_threads,
)
from tests.conftest import run_ingest
from tests.read_duckdb import fetch_all
from tests.test_bad_input import ACCOUNT, ACCOUNT_HEADER, account_row, failure_text, land

LEAD = AssetKey(["raw_salesforce", "lead"])
LEDGER = (
    "select table_name, source_file, sha256, rows_read, rows_loaded, rows_unchanged,"
    " rows_rejected from ingest.file_loads order by all"
)


def _rows_without_load_time(warehouse: Path, table: str) -> list[tuple[object, ...]]:
    """Every stored row with its lineage, except when it was loaded (the run's clock)."""
    return fetch_all(warehouse, f"select * exclude (_loaded_at) from {table} order by all")


def test_tables_loaded_at_once_equal_tables_loaded_one_by_one(
    sample: GeneratedSample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    warehouses = {}
    for threads in ("1", "4"):
        monkeypatch.setenv(ENV_INGEST_THREADS, threads)
        warehouses[threads] = tmp_path / f"threads{threads}.duckdb"
        result = run_ingest(sample.landing_dir, warehouses[threads])
        assert result.success
        materialized = {m.asset_key for m in result.get_asset_materialization_events()}
        assert len(materialized) == len(load_contract())
    one, four = warehouses["1"], warehouses["4"]
    assert fetch_all(four, LEDGER) == fetch_all(one, LEDGER)
    rejected = "select * exclude (rejected_at) from ingest.rejected_rows order by all"
    assert fetch_all(four, rejected) == fetch_all(one, rejected)
    assert fetch_all(one, "select count(*) from ingest.rejected_rows")[0][0] > 0  # planted defects
    for table in load_contract():
        rows = _rows_without_load_time(one, table.qualified_name)
        assert rows, table.qualified_name
        assert _rows_without_load_time(four, table.qualified_name) == rows, table.qualified_name


def _land_an_account_and_a_broken_lead(landing: Path) -> None:
    """One good account export; a lead export missing most required columns."""
    land(
        landing,
        "salesforce/Account",
        "accounts.csv",
        f"{ACCOUNT_HEADER}\n{account_row('001A')}\n".encode(),
    )
    land(landing, "salesforce/Lead", "leads.csv", b"Id,Email\n00QA,a@example.com\n")


def test_a_refused_file_fails_its_own_table_only(landing: Path, tmp_path: Path):
    """Two tables in one step: the account export loads; the lead export lacks a required
    column and is refused. The account table is materialized with its one row, the lead
    table is not, and the step's failure names the refused file."""
    _land_an_account_and_a_broken_lead(landing)
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT, LEAD])
    assert not result.success
    materialized = {m.asset_key for m in result.get_asset_materialization_events()}
    assert materialized == {ACCOUNT}
    assert "salesforce/Lead/leads.csv" in failure_text(result)
    assert "raw_salesforce.lead" in failure_text(result)
    assert fetch_all(warehouse, "select count(*) from raw_salesforce.account") == [(1,)]
    assert fetch_all(warehouse, "select count(*) from raw_salesforce.lead") == [(0,)]
    failures = fetch_all(warehouse, "select table_name, source_file from ingest.file_failures")
    assert failures == [("raw_salesforce.lead", "salesforce/Lead/leads.csv")]


def test_selecting_one_table_loads_that_table_only(landing: Path, tmp_path: Path):
    _land_an_account_and_a_broken_lead(landing)
    warehouse = tmp_path / "w.duckdb"
    result = run_ingest(landing, warehouse, [ACCOUNT])
    assert result.success
    assert {m.asset_key for m in result.get_asset_materialization_events()} == {ACCOUNT}
    loaded = fetch_all(warehouse, "select table_name from ingest.file_loads")
    assert loaded == [("raw_salesforce.account",)]


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_wrong_thread_count_fails_naming_the_variable(value: str):
    with pytest.raises(SettingsError, match=ENV_INGEST_THREADS):
        ingest_threads({ENV_INGEST_THREADS: value})


def test_the_default_is_one_thread_per_core_within_bounds():
    assert 1 <= ingest_threads({}) <= MAX_DEFAULT_INGEST_THREADS
    assert ingest_threads({ENV_INGEST_THREADS: " 3 "}) == 3

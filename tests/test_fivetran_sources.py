"""Fivetran-landed Salesforce and HubSpot tables as inputs, beside the file drops.

One generated sample, built twice through Dagster: once from the CSV exports (files mode)
and once from the same journeys in Fivetran's shape (history mode, soft deletes, merged
HubSpot contacts, HubSpot's own form types, URLs in `email_event_click`, TIMESTAMPTZ
columns of a tz-aware destination, read with the process in Asia/Tokyo). Every mart and
metric must be equal, equal to the generator's ground truth, deleted records must never
reach staging, and a form nobody mapped must be reported with its touches.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, ExecuteInProcessResult

from orchestration.quality.crm_values import CHECK as CRM_CHECK
from orchestration.quality.crm_values import COVERAGE as CRM_COVERAGE
from orchestration.quality.touch_coverage import CHECK, COVERAGE
from orchestration.sample.fivetran_shape import write_fivetran_database
from orchestration.sample.generate import generate
from orchestration.settings import SourceModes
from tests.builds import Built, build_everything, dbt_metadata, published_metadata
from tests.test_semantic_layer import test_every_opportunity_matches_the_truth as opps_match
from tests.test_semantic_layer import test_every_stage_date_matches_the_truth as stages_match

PERSONS, SEED = 500, 13
UNMAPPED_FORM = ("f-survey-after-event", "イベント後アンケート", 3)  # id, name, submissions


@dataclass(frozen=True)
class Pair:
    files: Built
    fivetran: Built
    fivetran_db: Path
    fivetran_result: ExecuteInProcessResult
    files_result: ExecuteInProcessResult


def _add_unmapped_form(landing: Path, fivetran: Path) -> None:
    """A form real portals have and no rule maps, with submissions by known contacts: the
    same in the exports and in the Fivetran file, so both builds hold the same records."""
    form_id, name, submissions = UNMAPPED_FORM
    exported = sorted((landing / "hubspot/form_submissions").glob("*.csv"))[0]
    with exported.open(encoding="utf-8", newline="") as handle:
        rows = sorted(
            (r for r in csv.DictReader(handle) if r["Conversion ID"]),
            key=lambda r: r["Conversion ID"],
        )[:submissions]
    with (landing / "hubspot/forms/forms_survey.csv").open("w", encoding="utf-8") as handle:
        handle.write(
            f"Form ID,Form Name,Form Type,Created At\n{form_id},{name},,2024-03-01 10:00:00\n"
        )
    with (landing / "hubspot/form_submissions/survey.csv").open(
        "w", encoding="utf-8", newline=""
    ) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for i, row in enumerate(rows, start=1):
            writer.writerow({**row, "Conversion ID": f"cv-survey-{i}", "Form ID": form_id})
    con = duckdb.connect(str(fivetran))
    try:
        con.execute(
            "insert into hubspot.form select ?, ?, 'HUBSPOT', created_at, updated_at, "
            "portal_id, _fivetran_synced, false from hubspot.form limit 1",
            [form_id, name],
        )
        con.execute(
            f"""
            insert into hubspot.contact_form_submission
            select 'cv-survey-' || row_number() over (order by conversion_id), contact_id, ?,
                page_url, "timestamp", page_id, title, portal_id, _fivetran_synced
            from (
                select * from hubspot.contact_form_submission
                order by conversion_id limit {submissions}
            )
            """,
            [form_id],
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    root = tmp_path_factory.mktemp("fivetran")
    sample = generate(root / "landing", root / "truth", PERSONS, SEED)
    fivetran_db = root / "fivetran.duckdb"
    write_fivetran_database(sample.landing_dir, fivetran_db, tz_aware=True)
    _add_unmapped_form(sample.landing_dir, fivetran_db)
    files_wh = root / "files" / "warehouse.duckdb"
    files_wh.parent.mkdir()
    files_result = build_everything(sample.landing_dir, files_wh)
    assert files_result.success
    # only events and target lists are file drops now: build from a landing zone without
    # the CRM and MA exports, so nothing of them can come from the files
    landing = root / "landing_events_only"
    for system in ("events", "target_lists"):
        (landing / system).parent.mkdir(parents=True, exist_ok=True)
        (landing / system).symlink_to(sample.landing_dir / system)
    fivetran_wh = root / "fivetran" / "warehouse.duckdb"
    fivetran_wh.parent.mkdir()
    modes = SourceModes(salesforce="fivetran", hubspot="fivetran", fivetran_database=fivetran_db)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Asia/Tokyo")  # a session zone that would shift a naive cast
        result = build_everything(landing, fivetran_wh, sources=modes)
    assert result.success
    files = Built(sample, files_wh, published_metadata(files_result), dbt_metadata(files_result))
    fivetran = Built(sample, fivetran_wh, published_metadata(result), dbt_metadata(result))
    return Pair(files, fivetran, fivetran_db, result, files_result)


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'a' "
            "and schema_name = 'main' and table_name != 'publish_log' order by 1"
        ).fetchall()
    ]


def _differences(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int, int]:
    """(rows only in a, rows only in b, rows whose doubles differ by more than 1e-9)."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = 'a' "
        "and schema_name = 'main' and table_name = ? order by column_index",
        [table],
    ).fetchall()
    keys = [c for c, t in columns if t not in ("DOUBLE", "FLOAT")]
    doubles = [c for c, t in columns if t in ("DOUBLE", "FLOAT")]
    on = " and ".join(f'a."{c}" is not distinct from b."{c}"' for c in keys)
    far = (
        " or ".join(
            f'not (a."{c}" is not distinct from b."{c}" or abs(a."{c}" - b."{c}") <= '
            f'1e-9 * greatest(1, abs(a."{c}")))'
            for c in doubles
        )
        or "false"
    )
    row = con.execute(
        f"""
        select
            count(*) filter (where b."{keys[0]}" is null and a."{keys[0]}" is not null),
            count(*) filter (where a."{keys[0]}" is null and b."{keys[0]}" is not null),
            count(*) filter (where a."{keys[0]}" is not null and b."{keys[0]}" is not null
                and ({far}))
        from a.main."{table}" as a full outer join b.main."{table}" as b on {on}
        """
    ).fetchone()
    counts = con.execute(
        f'select (select count(*) from a.main."{table}"), (select count(*) from b.main."{table}")'
    ).fetchone()
    assert counts[0] == counts[1], (table, counts)
    return row


def test_every_published_mart_and_metric_is_the_same_from_fivetran_and_from_files(pair: Pair):
    con = duckdb.connect()
    con.execute(f"attach '{pair.files.published}' as a (read_only)")
    con.execute(f"attach '{pair.fivetran.published}' as b (read_only)")
    tables = _tables(con)
    assert len(tables) >= 17 and "dim_persons" in tables and "metric_lost_reasons" in tables
    differences = {t: d for t in tables if (d := _differences(con, t)) != (0, 0, 0)}
    assert differences == {}
    rows = con.execute("select count(*) from a.main.fct_stage_transitions").fetchone()[0]
    assert rows > 300


def test_the_fivetran_build_matches_the_ground_truth(pair: Pair):
    stages_match(pair.fivetran)
    opps_match(pair.fivetran)


def _connect_with_fivetran(pair: Pair) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(pair.fivetran.warehouse), read_only=True)
    con.execute(f"attach '{pair.fivetran_db}' as fivetran (read_only)")
    return con


def test_deleted_and_inactive_records_never_reach_staging(pair: Pair):
    con = _connect_with_fivetran(pair)
    checked = 0
    for table, model, key in (
        ("lead", "stg_salesforce__leads", "lead_id"),
        ("opportunity", "stg_salesforce__opportunities", "opportunity_id"),
        ("account", "stg_salesforce__accounts", "account_id"),
        ("contact", "stg_salesforce__contacts", "contact_id"),
        ("opportunity_history", "stg_salesforce__opportunity_history", "opportunity_history_id"),
        ("task", "stg_salesforce__tasks", "task_id"),
        ("campaign_member", "stg_salesforce__campaign_members", "campaign_member_id"),
    ):
        deleted = con.execute(
            f"select count(*) from fivetran.salesforce.{table} where is_deleted "
            "or _fivetran_deleted"
        ).fetchone()[0]
        leaked = con.execute(
            f"select count(*) from staging.{model} where {key} in (select id from "
            f"fivetran.salesforce.{table} where is_deleted or _fivetran_deleted)"
        ).fetchone()[0]
        assert (table, leaked) == (table, 0)
        checked += deleted
        # history mode: one row per record, its active version
        versions = con.execute(
            f"select count(*) - count(distinct {key}) from staging.{model}"
        ).fetchone()[0]
        assert (table, versions) == (table, 0)
    assert checked > 10
    inactive = con.execute(
        "select count(*) from fivetran.salesforce.opportunity where not _fivetran_active"
    ).fetchone()[0]
    assert inactive > 0
    deleted_contacts = con.execute(
        "select count(*) from staging.stg_hubspot__contacts where contact_id in (select "
        "cast(id as varchar) from fivetran.hubspot.contact where _fivetran_deleted)"
    ).fetchone()[0]
    assert deleted_contacts == 0


def test_merged_contacts_and_their_submissions_resolve_to_the_surviving_contact(pair: Pair):
    con = _connect_with_fivetran(pair)
    merged, wrong = con.execute(
        """
        select count(*), count(*) filter (where m.person_email is distinct from s.email)
        from staging.stg_hubspot__contact_merges as cm
        inner join intermediate.int_person_records_matched as m
            on m.source_system = 'hubspot_contact' and m.record_id = cm.merged_contact_id
        inner join staging.stg_hubspot__contacts as s on s.contact_id = cm.contact_id
        """
    ).fetchone()
    assert merged > 0 and wrong == 0
    under_merged = con.execute(
        "select count(*) from staging.stg_hubspot__form_submissions where contact_id in "
        "(select merged_contact_id from staging.stg_hubspot__contact_merges)"
    ).fetchone()[0]
    assert under_merged > 0  # the surviving contact's email made them touches (marts equal)


def _coverage_check(result: ExecuteInProcessResult):
    evaluations = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == CHECK and e.asset_key == COVERAGE
    ]
    assert len(evaluations) == 1
    return evaluations[0]


def test_an_unmapped_form_is_reported_with_the_touches_it_holds(pair: Pair):
    form_id, name, submissions = UNMAPPED_FORM
    evaluation = _coverage_check(pair.fivetran_result)
    assert not evaluation.passed
    assert evaluation.severity.value == "WARN"
    assert f"form {form_id!r} ({name}): {submissions} records" in evaluation.description
    assert evaluation.metadata["unmapped_records"].value == submissions
    assert evaluation.metadata["unmapped_values"].value == 1
    # the same records from files: the same warning, the same count
    from_files = _coverage_check(pair.files_result)
    assert not from_files.passed
    assert from_files.metadata["unmapped_records"].value == submissions


def test_every_crm_value_of_the_sample_is_named_in_the_definitions(pair: Pair):
    """The sample's lead statuses and stages are the agreed ones, from files and from
    Fivetran's tables alike: the check stays quiet (tests/test_crm_value_coverage.py makes
    it speak)."""
    for result in (pair.files_result, pair.fivetran_result):
        (evaluation,) = [
            e
            for e in result.get_asset_check_evaluations()
            if e.check_name == CRM_CHECK and e.asset_key == CRM_COVERAGE
        ]
        assert evaluation.passed, evaluation.description
        assert evaluation.metadata["unknown_values"].value == 0


def test_the_raw_tables_are_observed_with_their_fivetran_sync(pair: Pair):
    observed = {
        e.asset_key: e.event_specific_data.asset_observation  # type: ignore[union-attr]
        for e in pair.fivetran_result.all_events
        if e.event_type_value == "ASSET_OBSERVATION"
    }
    lead = observed[AssetKey(["raw_salesforce", "lead"])]
    assert lead.data_version is not None and "2026-10-01" in lead.data_version
    con = duckdb.connect(str(pair.fivetran_db), read_only=True)
    live = con.execute(
        "select count(*) from salesforce.lead where _fivetran_active and not is_deleted "
        "and not _fivetran_deleted"
    ).fetchone()[0]
    assert lead.metadata["dagster/row_count"].value == live
    assert len(observed) == 17  # 11 Salesforce and 6 HubSpot tables (with email_event_click)
    assert os.environ.get("TZ") != "Asia/Tokyo"  # the fixture restored the zone


def test_click_urls_come_from_fivetran_s_click_table_as_from_the_export(pair: Pair):
    files = duckdb.connect(str(pair.files.warehouse), read_only=True)
    expected = set(
        files.execute(
            "select email_event_id, url from staging.stg_hubspot__email_event_clicks"
        ).fetchall()
    )
    con = _connect_with_fivetran(pair)
    actual = set(
        con.execute(
            "select email_event_id, url from staging.stg_hubspot__email_event_clicks"
        ).fetchall()
    )
    assert len(expected) > 20
    assert actual == expected

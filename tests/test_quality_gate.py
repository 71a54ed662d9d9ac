"""Write-audit-publish: one violation of each agreed definition, injected into otherwise
good generated data, stops the publish and leaves the published tables as they were."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import AssetSelection, Definitions, RetryPolicy, define_asset_job, materialize

from orchestration.publish.assets import build_publish_assets
from orchestration.publish.store import read_log
from orchestration.quality.checks import build_quality_checks
from orchestration.resources import (
    DefinitionsFileResource,
    PublishedResource,
    SourcesResource,
    WarehouseResource,
)
from orchestration.transform.assets import build_dbt_assets
from orchestration.transform.dbt_resource import dbt_resource
from tests.builds import Builds


@dataclass(frozen=True)
class GoodBuild:
    warehouse: Path
    published: Path


@pytest.fixture(scope="module")
def good(builds: Builds) -> GoodBuild:
    """The shared seed 7 build; every test works on its own copy."""
    build = builds.get(7, 800)
    return GoodBuild(build.warehouse, build.published)


def _copy(good: GoodBuild, folder: Path) -> GoodBuild:
    folder.mkdir()
    copy = GoodBuild(folder / "warehouse.duckdb", folder / "published.duckdb")
    shutil.copy(good.warehouse, copy.warehouse)
    shutil.copy(good.published, copy.published)
    return copy


def _audit_and_publish(build: GoodBuild):
    """A real Dagster run of the quality checks and the publish (no ingest, no dbt)."""
    publish = build_publish_assets()
    checks = build_quality_checks()
    return materialize(
        [publish, *checks],
        selection=AssetSelection.assets(*publish.keys)
        | AssetSelection.checks(*[key for c in checks for key in c.check_keys]),
        resources={
            "warehouse": WarehouseResource(path=str(build.warehouse)),
            "published": PublishedResource(path=str(build.published)),
            "definitions_file": DefinitionsFileResource(),
        },
        raise_on_error=False,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _failed_checks(result) -> set[tuple[str, str]]:
    return {
        (e.asset_key.path[-1], e.check_name)
        for e in (
            ev.event_specific_data
            for ev in result.all_events
            if ev.event_type_value == "ASSET_CHECK_EVALUATION"
        )
        if not e.passed
    }


VIOLATIONS = {
    # definition: (sql on the warehouse, table, check expected to fail)
    "one_current_stage_from_the_defined_set": (
        "update marts.dim_persons set current_stage = 'hot_prospect' where person_id = "
        "(select min(person_id) from marts.dim_persons)",
        "dim_persons",
        "current_stage_defined",
    ),
    "exactly_one_row_per_person": (
        "insert into marts.dim_persons select * from marts.dim_persons limit 1",
        "dim_persons",
        "one_row_per_person",
    ),
    "no_sal_before_its_mql": (
        "update marts.fct_lead_lifecycle set sal_at = mql_at - interval 1 day where "
        "lifecycle_id = (select min(lifecycle_id) from marts.fct_lead_lifecycle "
        "where sal_at is not null)",
        "fct_lead_lifecycle",
        "sal_not_before_mql",
    ),
    "every_mql_satisfies_the_rule": (
        "update marts.fct_lead_lifecycle set mql_path = 'marketing' where lifecycle_id = "
        "(select min(lifecycle_id) from marts.fct_lead_lifecycle l join marts.dim_persons p "
        "using (person_id) where l.mql_path = 'direct_to_sales' and not p.is_fit)",
        "fct_lead_lifecycle",
        "mql_rule_holds",
    ),
    "sla_fields_consistent": (
        "update marts.fct_lead_lifecycle set is_followed_up_within_sla = not "
        "is_followed_up_within_sla where lifecycle_id = "
        "(select min(lifecycle_id) from marts.fct_lead_lifecycle)",
        "fct_lead_lifecycle",
        "sla_flag_consistent",
    ),
    "closed_lost_has_a_canonical_reason": (
        "update marts.fct_opportunities set lost_reason_category = null where "
        "opportunity_id = (select min(opportunity_id) from marts.fct_opportunities "
        "where outcome = 'lost')",
        "fct_opportunities",
        "lost_deal_has_reason",
    ),
    "unclassified_share_at_most_the_threshold": (
        "update marts.fct_opportunities set lost_reason_category = 'unclassified' "
        "where outcome = 'lost'",
        "fct_opportunities",
        "unclassified_share_within_limit",
    ),
    "rates_between_0_and_1": (
        "update marts.metric_mql_acceptance set acceptance_rate = 1.5 where rowid = "
        "(select min(rowid) from marts.metric_mql_acceptance where acceptance_rate is not null)",
        "metric_mql_acceptance",
        "acceptance_rate_within_0_1",
    ),
    "funnel_counts_do_not_increase": (
        "update marts.metric_funnel_waterfall set mqls = inquiries + 1 where rowid = "
        "(select min(rowid) from marts.metric_funnel_waterfall)",
        "metric_funnel_waterfall",
        "mqls_not_above_inquiries",
    ),
    "persons_reference_accounts": (
        "delete from marts.dim_accounts where account_id = "
        "(select min(account_id) from marts.dim_persons)",
        "dim_persons",
        "account_exists",
    ),
    "opportunities_reference_persons": (
        "delete from marts.dim_persons where person_id = "
        "(select min(person_id) from marts.fct_opportunities)",
        "fct_opportunities",
        "person_exists",
    ),
    "metrics_are_finite_numbers": (
        "update marts.metric_time_to_opportunity set mean_days_mql_to_sal = 'NaN'::double "
        "where rowid = (select min(rowid) from marts.metric_time_to_opportunity)",
        "metric_time_to_opportunity",
        "numbers_are_finite",
    ),
    "row_volume_within_bounds_of_the_previous_publish": (
        "delete from marts.dim_persons where rowid % 3 <> 0",
        "dim_persons",
        "row_volume_within_bounds",
    ),
}


@pytest.mark.parametrize("definition", sorted(VIOLATIONS))
def test_a_violation_stops_the_publish(good: GoodBuild, tmp_path: Path, definition: str):
    sql, table, check = VIOLATIONS[definition]
    build = _copy(good, tmp_path / "copy")
    before, log_before = _digest(build.published), read_log(build.published)
    con = duckdb.connect(str(build.warehouse))
    try:
        changed = con.execute(sql).fetchall()
        assert changed and changed[0][0] > 0, f"{definition}: the injection changed nothing"
    finally:
        con.close()
    result = _audit_and_publish(build)
    assert not result.success
    assert (table, check) in _failed_checks(result), _failed_checks(result)
    assert _digest(build.published) == before
    assert read_log(build.published) == log_before
    message = " ".join(
        str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure
    )
    assert check in message and "definition:" in message, message
    assert result.asset_materializations_for_node("publish_marts") == []
    assert not any(e.step_key == "publish_marts" and e.is_step_success for e in result.all_events)


def test_a_clean_audit_publishes_and_logs(good: GoodBuild, tmp_path: Path):
    build = _copy(good, tmp_path / "copy")
    log_before = read_log(build.published)
    result = _audit_and_publish(build)
    assert result.success
    log = read_log(build.published)
    assert len(log) == len(log_before) + 1
    assert log[-1][2] == result.run_id and log[-1][5] == 0 and log[-1][4] > 50


def test_a_stale_source_warns_but_does_not_block(good: GoodBuild, tmp_path: Path):
    build = _copy(good, tmp_path / "copy")
    con = duckdb.connect(str(build.warehouse))
    try:
        con.execute("update raw_salesforce.lead set _loaded_at = _loaded_at - interval 30 day")
    finally:
        con.close()
    result = _audit_and_publish(build)
    assert result.success
    assert ("lead", "source_fresh") in _failed_checks(result)
    assert len(read_log(build.published)) == len(read_log(good.published)) + 1


def test_publishing_without_the_audit_is_refused(good: GoodBuild, tmp_path: Path):
    build = _copy(good, tmp_path / "copy")
    before = _digest(build.published)
    publish = build_publish_assets()
    result = materialize(
        [publish],
        resources={
            "warehouse": WarehouseResource(path=str(build.warehouse)),
            "published": PublishedResource(path=str(build.published)),
        },
        raise_on_error=False,
    )
    assert not result.success
    message = " ".join(
        str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure
    )
    assert "was not evaluated in this run" in message
    assert _digest(build.published) == before


def _set_baseline(published: Path, table: str, rows: int) -> str:
    """Make the last publish say `table` had `rows` rows; return that publish's id."""
    con = duckdb.connect(str(published))
    try:
        publish_id = con.execute(
            "select publish_id from publish_log order by published_at desc limit 1"
        ).fetchone()[0]
        con.execute(
            "update publish_log set row_counts = json_merge_patch(row_counts, ?) "
            "where publish_id = ?",
            [json.dumps({table: rows}), publish_id],
        )
    finally:
        con.close()
    return publish_id


def _rows(warehouse: Path, table: str) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select count(*) from marts.{table}").fetchone()[0]
    finally:
        con.close()


def _failure_message(result) -> str:
    return " ".join(
        str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure
    )


def test_a_small_table_that_grows_by_a_few_rows_publishes(good: GoodBuild, tmp_path: Path):
    """Growing by 45 rows from under 90 is more than 50% but within the 50-row allowance."""
    build = _copy(good, tmp_path / "copy")
    con = duckdb.connect(str(build.published), read_only=True)
    counts = json.loads(
        con.execute(
            "select row_counts from publish_log order by published_at desc limit 1"
        ).fetchone()[0]
    )
    con.close()
    table = next(t for t, n in sorted(counts.items()) if 60 <= n <= 130)
    rows = counts[table]
    baseline = rows - 45
    assert rows > baseline * 1.5  # the relative rule alone would refuse it
    _set_baseline(build.published, table, baseline)
    result = _audit_and_publish(build)
    assert result.success, _failure_message(result)
    assert (table, "row_volume_within_bounds") not in _failed_checks(result)


def test_a_jump_is_refused_naming_observed_allowed_and_baseline(good: GoodBuild, tmp_path: Path):
    build = _copy(good, tmp_path / "copy")
    rows = _rows(build.warehouse, "dim_persons")
    baseline = rows // 3
    publish_id = _set_baseline(build.published, "dim_persons", baseline)
    before = _digest(build.published)
    result = _audit_and_publish(build)
    assert not result.success
    message = _failure_message(result)
    # by hand: 50% of the baseline is more than 50 rows here
    allowed = baseline * 0.5
    assert allowed > 50
    low, high = math.floor(baseline - allowed), math.ceil(baseline + allowed)
    assert "marts.dim_persons row_volume_within_bounds" in message
    assert f"observed {rows}" in message
    assert f"allowed {low} to {high}" in message
    assert f"baseline: {baseline} rows in publish {publish_id}" in message
    assert _digest(build.published) == before


def test_an_accepted_jump_publishes_once_and_the_log_says_who_and_why(
    good: GoodBuild, tmp_path: Path
):
    build = _copy(good, tmp_path / "copy")
    rows = _rows(build.warehouse, "dim_persons")
    _set_baseline(build.published, "dim_persons", rows // 3)
    accepted = subprocess.run(
        [
            str(Path(sys.executable).with_name("common-funnel")),
            "accept-volume-change",
            "dim_persons",
            "--by",
            "team:data (Sato)",
            "--reason",
            "trade-show season tripled the leads",
        ],
        env={**os.environ, "COMMON_FUNNEL_PUBLISHED": str(build.published)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    result = _audit_and_publish(build)
    assert result.success, _failure_message(result)
    log = read_log(build.published)
    changes = json.loads(log[-1][7])
    assert [(c["table"], c["accepted_by"], c["reason"]) for c in changes] == [
        ("dim_persons", "team:data (Sato)", "trade-show season tripled the leads")
    ]
    assert changes[0]["publish_id"] is None or changes[0]["publish_id"] == log[-1][0]
    # once: the next jump is judged again
    _set_baseline(build.published, "dim_persons", rows // 3)
    again = _audit_and_publish(build)
    assert not again.success
    assert ("dim_persons", "row_volume_within_bounds") in _failed_checks(again)


def test_a_failed_dbt_test_names_its_definition_and_is_not_retried(good: GoodBuild, tmp_path: Path):
    build = _copy(good, tmp_path / "copy")
    con = duckdb.connect(str(build.warehouse))
    try:  # a stage written twice and one without its code: the key test of the stages fails
        con.execute("insert into definitions.stages select * from definitions.stages limit 1")
        con.execute(
            "insert into definitions.stages by name"
            " select * replace (cast(null as varchar) as stage_code) from definitions.stages limit 1"
        )
    finally:
        con.close()
    defs = Definitions(
        assets=[build_dbt_assets()],
        jobs=[
            define_asset_job(
                "dbt_only",
                selection=AssetSelection.all(),
                op_retry_policy=RetryPolicy(max_retries=2, delay=0),
            )
        ],
        resources={
            "warehouse": WarehouseResource(path=str(build.warehouse)),
            "sources": SourcesResource(salesforce="files", hubspot="files"),
            "dbt": dbt_resource(),
        },
    )
    result = defs.resolve_job_def("dbt_only").execute_in_process(raise_on_error=False)
    assert not result.success
    message = _failure_message(result)
    # two failing keys: the duplicated code and the missing one
    assert (
        "primary_key_stg_definitions__stages_stage_code (fail on stg_definitions__stages:"
        " Got 2 results"
    ) in message
    assert "definition: the semantic layer's keys: every row has one, one row per key" in message
    restarts = [e for e in result.all_events if e.event_type_value == "STEP_RESTARTED"]
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert (restarts, retries) == ([], [])

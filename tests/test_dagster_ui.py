"""The production shape, end to end: `dagster dev` (webserver and daemon) on an instance
whose run, event and schedule storage is a real PostgreSQL server, three runs launched at
the same moment through the GraphQL API (tagged schedule, sensor and manual), an analyst
reading the published file throughout, and the lineage page in headless Chromium.

Everything runs once (module fixture); each test checks one promise of issue 6."""

import itertools
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pytest
from dagster import AssetKey

from orchestration.automation.tags import TRIGGER
from orchestration.definitions import FULL_JOB_NAME, defs
from orchestration.sample.generate import generate
from orchestration.settings import (
    ENV_DATA_DIR,
    ENV_DBT_PREPARED,
    ENV_SKIP_UNCHANGED,
    PROJECT_ROOT,
    TELEMETRY_OFF,
)
from orchestration.transform.project import dbt_project
from tests.servers import DagsterDev, Postgres, dagster_dev, postgres_server, require

LOCATION, REPOSITORY = "common_funnel", "__repository__"
TRIGGERS = ("schedule", "sensor", "manual")
SCREENSHOTS = PROJECT_ROOT / "tests" / "artifacts"

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on Error { message }
  }
}"""
RUN = """
query Run($id: ID!) {
  runOrError(runId: $id) {
    __typename
    ... on Run { status startTime endTime tags { key value } }
  }
}"""
START_SCHEDULE = """
mutation Start($selector: ScheduleSelector!) {
  startSchedule(scheduleSelector: $selector) {
    __typename
    ... on ScheduleStateResult { scheduleState { status } }
    ... on Error { message }
  }
}"""


@dataclass(frozen=True)
class Deployment:
    postgres: Postgres
    dev: DagsterDev
    home: Path
    published: Path
    runs: dict[str, dict[str, Any]]  # trigger -> the run as GraphQL reports it
    reader: dict[str, Any]
    manifest_mtimes: tuple[int, int]  # the dbt manifest's, before and after dagster dev ran

    def pg(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        p = self.postgres
        con = psycopg2.connect(
            host=p.host, port=p.port, user=p.user, password=p.password, dbname=p.db
        )
        try:
            with con.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            con.close()


def _launch(dev: DagsterDev, trigger: str) -> str:
    params = {
        "selector": {
            "repositoryLocationName": LOCATION,
            "repositoryName": REPOSITORY,
            "jobName": FULL_JOB_NAME,
        },
        "runConfigData": {},
        "executionMetadata": {
            "tags": [
                {"key": TRIGGER, "value": trigger},
                {"key": "common_funnel/reason", "value": f"test_dagster_ui ({trigger})"},
            ]
        },
    }
    answer = dev.graphql(LAUNCH, {"params": params})["launchRun"]
    assert answer["__typename"] == "LaunchRunSuccess", answer
    return answer["run"]["runId"]


def _wait(dev: DagsterDev, run_ids: dict[str, str], timeout: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        runs = {t: dev.graphql(RUN, {"id": i})["runOrError"] for t, i in run_ids.items()}
        if all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in runs.values()):
            return runs
        assert time.monotonic() < deadline, (
            f"runs not finished: {runs}\n{dev.log.read_text()[-3000:]}"
        )
        time.sleep(2)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deployment")
    data, home = root / "data", root / "dagster_home"
    generate(data / "landing", data / "ground_truth", 120, 5)
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "orchestration/deploy/dagster.postgres.yaml", home / "dagster.yaml")
    published, stop = data / "published.duckdb", root / "stop"
    manifest = dbt_project().manifest_path
    manifest_before = manifest.stat().st_mtime_ns
    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_server())
        env = {
            **TELEMETRY_OFF,
            **postgres.env(),
            ENV_DATA_DIR: str(data),
            ENV_DBT_PREPARED: "1",  # conftest prepared it; other workers read it meanwhile
            # three runs of the same data, each to publish (the reader must see swaps); a
            # run with nothing new skips the build otherwise (test_unchanged_runs.py)
            ENV_SKIP_UNCHANGED: "0",
        }
        dev = stack.enter_context(dagster_dev(home, env, root / "dagster_dev.log"))
        reader = subprocess.Popen(
            [
                sys.executable,
                str(PROJECT_ROOT / "tests/published_reader.py"),
                str(published),
                str(stop),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            run_ids = {trigger: _launch(dev, trigger) for trigger in TRIGGERS}
            runs = _wait(dev, run_ids, timeout=900)
        finally:
            stop.touch()
            report, reader_errors = reader.communicate(timeout=60)
        assert reader.returncode == 0, reader_errors
        runs = {t: {**r, "runId": run_ids[t]} for t, r in runs.items()}
        mtimes = (manifest_before, manifest.stat().st_mtime_ns)
        yield Deployment(postgres, dev, home, published, runs, json.loads(report), mtimes)


def test_three_runs_launched_at_once_all_succeed_one_at_a_time(deployment: Deployment):
    runs = deployment.runs
    for trigger, run in runs.items():
        assert run["status"] == "SUCCESS", (trigger, deployment.dev.log.read_text()[-3000:])
        assert {"key": TRIGGER, "value": trigger} in run["tags"]
    # the run queue (max_concurrent_runs: 1) started each run after the previous ended
    windows = sorted((r["startTime"], r["endTime"]) for r in runs.values())
    for (_, first_end), (second_start, _) in itertools.pairwise(windows):
        assert second_start >= first_end, windows
    locks = deployment.pg(
        "select count(*) from event_logs where event like %s", ("%Could not set lock%",)
    )
    assert locks == [(0,)]
    con = duckdb.connect(str(deployment.published), read_only=True)
    try:
        publishes = con.execute("select count(*) from publish_log").fetchone()
    finally:
        con.close()
    assert publishes == (3,)


def test_an_analyst_reads_the_published_file_throughout(deployment: Deployment):
    report = deployment.reader
    assert report["errors"] == []
    assert report["reads"] > 20
    assert len(report["versions"]) >= 2  # it read across at least one swap


def test_runs_events_and_schedules_are_stored_in_postgres(deployment: Deployment):
    ids = sorted(r["runId"] for r in deployment.runs.values())
    assert sorted(r[0] for r in deployment.pg("select run_id from runs")) == ids
    (events,) = deployment.pg("select count(*) from event_logs where run_id = any(%s)", (ids,))[0]
    assert events > 100
    answer = deployment.dev.graphql(
        START_SCHEDULE,
        {
            "selector": {
                "repositoryLocationName": LOCATION,
                "repositoryName": REPOSITORY,
                "scheduleName": "daily_full_materialization",
            }
        },
    )["startSchedule"]
    assert answer["__typename"] == "ScheduleStateResult", answer
    states = deployment.pg("select status, instigator_body from instigators")
    assert any(
        status == "RUNNING" and '"daily_full_materialization"' in body for status, body in states
    ), states
    # nothing went to SQLite beside dagster.yaml
    assert not list(deployment.home.rglob("*.db"))


CHECK_EXECUTIONS = """
query Checks($key: AssetKeyInput!, $name: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $name, limit: 10) {
    runId
    status
    evaluation { success metadataEntries { label } }
  }
}"""


def test_check_results_reach_the_ui_with_their_definition(deployment: Deployment):
    """What the Checks tab shows: a GE expectation and a dbt test, per run."""
    run_ids = {r["runId"] for r in deployment.runs.values()}
    for key, check, labels in (
        (
            ["marts", "fct_lead_lifecycle"],
            "mql_rule_holds",
            {"definition", "observed_value", "data_docs"},
        ),
        (["marts", "dim_persons"], "primary_key_dim_persons_person_id", set()),
    ):
        executions = deployment.dev.graphql(
            CHECK_EXECUTIONS, {"key": {"path": key}, "name": check}
        )["assetCheckExecutions"]
        assert {e["runId"] for e in executions} == run_ids, (key, check)
        for execution in executions:
            assert execution["status"] == "SUCCEEDED", (key, check, execution)
            shown = {m["label"] for m in execution["evaluation"]["metadataEntries"]}
            assert labels <= shown, (key, check, shown)


def test_dagster_dev_left_the_prepared_dbt_manifest_alone(deployment: Deployment):
    before, after = deployment.manifest_mtimes
    assert before == after  # COMMON_FUNNEL_DBT_PREPARED=1: no re-parse under dagster dev


def _upstream_chain(key: str) -> set[str]:
    """Every asset the published metric is built from, from the definitions themselves."""
    ancestors = defs.resolve_asset_graph().get_ancestor_asset_keys(AssetKey.from_user_string(key))
    return {k.path[-1] for k in ancestors}


def _shown(name: str, labels: set[str]) -> bool:
    """The UI shortens long names in the middle: `metric…_acceptance`."""
    for label in labels:
        head, _, tail = label.partition("…")
        if label == name or (tail and name.startswith(head) and name.endswith(tail)):
            return True
    return False


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require("Chromium", Path("/usr/bin/chromium").exists(), "apt-get install chromium")
    require(
        "ChromeDriver", Path("/usr/bin/chromedriver").exists(), "apt-get install chromium-driver"
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # no background traffic: this machine has no network beyond the package registries
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1920,2000",  # tall: the catalog table renders visible rows only
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, url: str, ready: str) -> str:
    """Open a page, wait until `ready` is in its text, close Dagster's newsletter prompt."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 90).until(lambda d: ready in d.find_element(By.TAG_NAME, "body").text)
    time.sleep(2)  # let the graph lay out
    for button in driver.find_elements(By.XPATH, "//button[normalize-space()='Skip']"):
        button.click()
    return driver.page_source


def test_the_catalog_shows_every_published_metric_materialized(
    deployment: Deployment, browser: Any
):
    from selenium.webdriver.common.by import By

    published = sorted(
        k.path[-1]
        for k in defs.resolve_asset_graph().get_all_asset_keys()
        if k.path[0] == "published" and k.path[-1].startswith("metric_")
    )
    assert len(published) == 9
    _open(browser, f"{deployment.dev.url}/assets/published", published[-1])
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "published_catalog.png"))
    rows = browser.find_element(By.TAG_NAME, "body").text.split("\n")
    for name in published:
        assert name in rows, name
        after = rows[rows.index(name) :][:8]
        assert "Materialized" in after, (name, after)


def test_the_lineage_page_shows_a_published_metric_and_its_upstream_chain(
    deployment: Deployment, browser: Any
):
    metric = "published/metric_mql_acceptance"
    chain = _upstream_chain(metric)
    url = f"{deployment.dev.url}/assets/{metric}?view=lineage&lineageScope=upstream&lineageDepth=50"
    html = _open(browser, url, "int_mql_cohorts")
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "lineage.png"))
    labels = set(re.findall(r'class="AssetNode_assetName[^"]*">([^<]+)</div>', html))
    missing = sorted(name for name in chain if not _shown(name, labels))
    assert not missing, (missing, sorted(labels))
    assert len(chain) > 60  # the raw tables, the definitions and the dbt models
    text = browser.find_element("tag name", "body").text
    for group in (
        "sales_sources",
        "marketing_sources",
        "agreed_definitions",
        "staging",
        "identity",
        "lifecycle",
        "metrics",
        "published",
    ):
        assert group in text, group

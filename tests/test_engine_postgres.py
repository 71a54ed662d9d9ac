"""COMMON_FUNNEL_ENGINE=postgres: the whole pipeline on a real PostgreSQL server.

A throw-away server (tests/servers.py); per seed its own database. Each build runs the
full job through Dagster: files validated and accounted for in the ingestion store, raw
tables COPYed into PostgreSQL, dbt-postgres builds every model and test, the GE gate and
the checks query PostgreSQL, the publish swaps the `published` schema. The published
tables must equal the DuckDB reference build's row for row.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest

from orchestration import cli
from orchestration.automation.nothing_new import nothing_new
from orchestration.engines.base import PublishRequest
from orchestration.engines.postgres_engine import PostgresEngine
from orchestration.ingest.contract import load_contract
from orchestration.settings import (
    ENV_DBT_UNIT_TESTS,
    ENV_ENGINE,
    ENV_LANDING_DIR,
    ENV_WAREHOUSE,
    load_settings,
)
from tests.engine_builds import (
    ENGINE_SEEDS,
    Reference,
    build_on,
    charts_failed,
    environment,
    reference_build,
)
from tests.engine_equality import compare, duckdb_tables, postgres_tables
from tests.hand_made_crm_values import crm_value_differences
from tests.hand_made_funnel import funnel_differences
from tests.hand_made_landing import published_differences
from tests.hand_made_ties import tie_differences
from tests.privacy_scan import (
    NAME_LIKE_COLUMNS_ALLOWED,
    identifier_like_columns,
    identifiers,
    leaks,
)
from tests.servers import Postgres, postgres_server
from tests.skipped_runs import runs_and_skip_reasons


@pytest.fixture(scope="module")
def server() -> Iterator[Postgres]:
    with postgres_server() as running:
        yield running


def libpq(server: Postgres, database: str) -> dict[str, str]:
    return {
        "PGHOST": server.host,
        "PGPORT": str(server.port),
        "PGUSER": server.user,
        "PGPASSWORD": server.password,
        "PGDATABASE": database,
    }


def connect(server: Postgres, database: str):
    return psycopg2.connect(
        host=server.host, port=server.port, user=server.user, password=server.password,
        dbname=database,
    )  # fmt: skip


# The second seed's database sorts text as most installations do (ICU en-US: 'a' before
# 'B', punctuation almost ignored); the first keeps the test server's C.UTF-8. Both must
# publish what DuckDB publishes (tests/hand_made_ties.py has a case that tells them apart).
DATABASE_OPTIONS = {ENGINE_SEEDS[1]: "template template0 locale_provider icu icu_locale 'en-US'"}


class PgBuild:
    def __init__(self, server: Postgres, reference: Reference, root: Path) -> None:
        self.server, self.reference, self.root = server, reference, root
        self.database = f"funnel_seed{reference.seed}"
        admin = connect(server, "postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            options = DATABASE_OPTIONS.get(reference.seed, "")
            cursor.execute(f"create database {self.database} {options}")
        admin.close()
        with environment(self.env()):
            self.result = build_on("postgres", reference, root)

    def env(self) -> dict[str, str]:
        return libpq(self.server, self.database)

    def connect(self):
        return connect(self.server, self.database)

    def query(self, sql: str) -> list[tuple]:
        con = self.connect()
        try:
            with con.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def pg_builds(server: Postgres, tmp_path_factory: pytest.TempPathFactory) -> dict[int, PgBuild]:
    return {
        seed: PgBuild(
            server, reference_build(tmp_path_factory, seed), tmp_path_factory.mktemp(f"pg{seed}")
        )
        for seed in ENGINE_SEEDS
    }


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_the_whole_job_runs_on_postgres(pg_builds: dict[int, PgBuild], seed: int):
    build = pg_builds[seed]
    assert build.result.success
    checks = build.result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks if c.severity.value == "ERROR")
    published = {m.asset_key.path[0] for m in build.result.get_asset_materialization_events()}
    assert "published" in published
    # the marts were built by dbt-postgres in PostgreSQL, and published there
    (rows,) = build.query("select count(*) from published.publish_log")[0]
    assert rows == 1
    (run,) = build.query("select dagster_run_id from published.publish_log")[0]
    assert run == build.result.run_id


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_postgres_publishes_exactly_what_duckdb_publishes(pg_builds: dict[int, PgBuild], seed: int):
    build = pg_builds[seed]
    expected = duckdb_tables(build.reference.published)
    actual = postgres_tables(build.connect)
    assert len(expected) > 10 and sum(len(t.rows) for t in expected.values()) > 1000
    assert compare(expected, actual) == []


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_the_hand_made_ties_and_cases_publish_as_computed_by_hand(
    pg_builds: dict[int, PgBuild], seed: int
):
    """The hand-made cases of tests/hand_made_ties.py (a tie, ids differing in case, a
    record listed twice, Cyrillic in capitals), on DuckDB and on PostgreSQL."""
    build = pg_builds[seed]
    if seed in DATABASE_OPTIONS:  # this database really sorts 'a' before 'B'
        assert build.query("select 'a' < 'B'") == [(True,)]
    assert tie_differences(duckdb_tables(build.reference.published)) == []
    assert tie_differences(postgres_tables(build.connect)) == []


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_the_hand_made_funnel_publishes_the_metrics_computed_by_hand(
    pg_builds: dict[int, PgBuild], seed: int
):
    """The five process metrics of tests/hand_made_funnel.py (a company's funnel in a
    quarter of its own), and Hanako's exports of tests/hand_made_landing.py, on DuckDB
    and on PostgreSQL."""
    build = pg_builds[seed]
    assert funnel_differences(duckdb_tables(build.reference.published)) == []
    assert funnel_differences(postgres_tables(build.connect)) == []
    # Hanako (tests/hand_made_landing.py): her attendance matched, her first touch
    assert published_differences(duckdb_tables(build.reference.published)) == []
    assert published_differences(postgres_tables(build.connect)) == []


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_the_sample_carries_the_mess_the_engines_must_fold(
    pg_builds: dict[int, PgBuild], seed: int
):
    """The equality above means something: full-width emails and legal-form company names
    landed, and PostgreSQL folded them exactly as DuckDB did."""
    build = pg_builds[seed]
    emails = {
        "raw_hubspot.contact": "property_email",
        "raw_salesforce.lead": "email",
        "raw_events.business_card": "email",
        "raw_events.event_attendee": "email",
    }
    companies = {
        "raw_hubspot.contact": "property_company",
        "raw_salesforce.lead": "company",
        "raw_events.business_card": "company_name",
    }
    full_width = sum(
        build.query(f"select count(*) from {t} where {c} ~ '[ａ-ｚＡ-Ｚ０-９＠]'")[0][0]
        for t, c in emails.items()
    )
    legal_forms = sum(
        build.query(f"select count(*) from {t} where {c} ~ '株式会社|（株）|[(]株[)]|㈱'")[0][0]
        for t, c in companies.items()
    )
    assert full_width > 0 and legal_forms > 0


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_every_landed_row_reached_postgres(pg_builds: dict[int, PgBuild], seed: int):
    """Ingestion accounts for every row in the ingestion store (read = loaded + rejected);
    PostgreSQL holds exactly the loaded rows of every raw table."""
    import duckdb

    build = pg_builds[seed]
    store = duckdb.connect(str(build.root / "warehouse.duckdb"), read_only=True)
    try:
        for table in load_contract():
            (local,) = store.execute(f"select count(*) from {table.qualified_name}").fetchone()
            (loaded,) = store.execute(
                "select coalesce(sum(rows_loaded), 0) from ingest.file_loads where table_name = ?",
                [table.qualified_name],
            ).fetchone()
            (remote,) = build.query(f"select count(*) from {table.qualified_name}")[0]
            assert remote == local == loaded, table.qualified_name
    finally:
        store.close()


@pytest.mark.parametrize(
    ("tables", "before_swap", "error"),
    [
        # a table that cannot be copied: the copy's transaction rolls back
        (
            {"dim_persons": "marts.dim_persons", "broken": "marts.no_such_table"},
            None,
            psycopg2.Error,
        ),
        # the charts, drawn while the copy ran, failed: abandoned right before the swap
        ({"dim_persons": "marts.dim_persons"}, charts_failed, RuntimeError),
    ],
    ids=["copy-fails", "charts-fail"],
)
def test_a_failed_publish_leaves_the_published_schema_as_it_was(
    pg_builds: dict[int, PgBuild],
    tables: dict[str, str],
    before_swap: Callable[[], None] | None,
    error: type[BaseException],
):
    build = pg_builds[ENGINE_SEEDS[1]]
    before = postgres_tables(build.connect)
    log = build.query("select publish_id from published.publish_log")
    with environment(build.env()):
        engine = PostgresEngine(build.root / "warehouse.duckdb", build.root / "published.duckdb")
        with pytest.raises(error):
            engine.publish(
                PublishRequest(
                    tables=tables,
                    run_id="failing",
                    definitions_version=None,
                    before_swap=before_swap,
                )
            )
    assert build.query("select publish_id from published.publish_log") == log
    assert compare(before, postgres_tables(build.connect)) == []
    schemas = {r[0] for r in build.query("select schema_name from information_schema.schemata")}
    assert "published_next" not in schemas and "published_old" not in schemas


# Another client, in its own process (as an analyst's session is): it polls the published
# schema until its stop file appears, one line per snapshot. (A reader thread inside the test
# worker shared the worker with the publish and with what earlier builds left in it.)
READER = """
import pathlib, sys
import psycopg2
stop = pathlib.Path(sys.argv[1])
con = psycopg2.connect("")  # libpq's PG* variables
con.autocommit = True
with con.cursor() as cursor:
    print("ready", flush=True)
    while not stop.exists():
        cursor.execute(
            "select (select count(*) from published.publish_log), "
            "(select count(*) from information_schema.tables "
            "where table_schema = 'published')"
        )
        print(*cursor.fetchone(), flush=True)
con.close()
"""


def test_readers_see_the_old_or_the_new_version_never_a_mix(
    pg_builds: dict[int, PgBuild], tmp_path: Path
):
    """A reader polling during publishes: every snapshot it takes has the publish log and
    the tables of one version (each publish changes both)."""
    build = pg_builds[ENGINE_SEEDS[0]]
    (logged,) = build.query("select count(*) from published.publish_log")[0]
    (tables,) = build.query(
        "select count(*) from information_schema.tables where table_schema = 'published'"
    )[0]
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(stop)],
        env={**os.environ, **build.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "ready", reader.communicate(timeout=60)
        with environment(build.env()):
            engine = PostgresEngine(build.root / "warehouse.duckdb", build.root / "p.duckdb")
            for n in (1, 2):  # each publish adds a log row and drops one table
                keep = {
                    name: f"marts.{name}"
                    for (name,) in build.query(
                        "select table_name from information_schema.tables where "
                        "table_schema = 'published' and table_name <> 'publish_log' "
                        "order by table_name"
                    )[1:]
                }
                engine.publish(
                    PublishRequest(tables=keep, run_id=f"r{n}", definitions_version=None)
                )
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    seen = {tuple(int(v) for v in line.split()) for line in out.splitlines()}
    versions = {(logged, tables), (logged + 1, tables - 1), (logged + 2, tables - 2)}
    assert seen and seen <= versions, seen - versions


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_unknown_crm_values_warn_as_computed_by_hand(pg_builds: dict[int, PgBuild], seed: int):
    """The CRM values coverage model and its check on this engine: the same unknown values
    and record counts as computed by hand (tests/hand_made_crm_values.py)."""
    assert crm_value_differences(pg_builds[seed].result) == []


def test_materialize_with_nothing_new_asks_postgres_and_starts_no_run(
    pg_builds: dict[int, PgBuild], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """`common-funnel materialize` reads the publish log where the engine keeps it: after
    the second seed's build nothing is new, so no run starts and the published tables are
    observed with the reason (automation/nothing_new.py); other settings (dbt's unit tests
    on) would build something else, so the same question then answers "run"."""
    build = pg_builds[ENGINE_SEEDS[1]]  # built without dbt's unit tests, the default here
    (last,) = build.query(
        "select publish_id from published.publish_log order by published_at desc limit 1"
    )[0]
    home = tmp_path / "dagster_home"
    home.mkdir()
    settings = {
        **build.env(),
        "DAGSTER_HOME": str(home),
        ENV_ENGINE: "postgres",
        ENV_WAREHOUSE: str(build.root / "warehouse.duckdb"),
        ENV_LANDING_DIR: str(build.reference.landing),
        ENV_DBT_UNIT_TESTS: "0",
    }
    with environment(settings):
        assert cli.main(["materialize", "--skip-prepare"]) == 0
        runs, reasons = runs_and_skip_reasons()
        with environment({ENV_DBT_UNIT_TESTS: "1"}):
            assert nothing_new(load_settings()) is None
    assert f"Nothing new since publish {last}" in capsys.readouterr().out
    assert runs == 0
    assert len(reasons) == 1 and reasons[0].startswith(f"Nothing new since publish {last}")


@pytest.mark.parametrize("seed", ENGINE_SEEDS)
def test_no_name_email_or_phone_is_published(pg_builds: dict[int, PgBuild], seed: int):
    """The privacy scan of the DuckDB publish (test_publish.py), on this engine's
    published tables: no identifier-like column beyond the judged ones, and no text value
    that is a person's or user's email, name or phone, or holds an @."""
    build = pg_builds[seed]
    published = postgres_tables(build.connect)
    known = identifiers(build.reference.warehouse)
    assert len(known) > 300
    assert identifier_like_columns(published) == set(NAME_LIKE_COLUMNS_ALLOWED)
    assert leaks(published, known) == {}

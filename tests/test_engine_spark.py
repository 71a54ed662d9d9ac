"""COMMON_FUNNEL_ENGINE=spark: the whole pipeline on a local Spark session.

Ingestion validates and accounts for the files in the ingestion store, then writes each
raw table as a Parquet folder of the lake; dbt-spark (`method: session`) builds every
model and test from it; the GE gate and the checks run as Spark jobs; the publish writes
a new version folder and switches `CURRENT` to it. The published tables must equal the
DuckDB reference build's row for row.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from dagster import ExecuteInProcessResult

from orchestration.engines.base import PublishRequest
from orchestration.engines.spark_engine import CURRENT, SparkEngine
from orchestration.ingest.contract import load_contract
from tests.engine_builds import (
    CHARTS_FAILURE,
    ENGINE_SEEDS,
    Reference,
    build_on,
    charts_failed,
    reference_build,
)
from tests.engine_equality import compare, duckdb_tables, parquet_tables
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
from tests.servers import require

# Spark builds the first seed only: a build costs about 3 minutes on 2 cores (dbt-spark's
# per-model overhead), and the suite's limit is 15 minutes; PostgreSQL builds both seeds.
SPARK_SEEDS = ENGINE_SEEDS[:1]


class SparkBuild:
    def __init__(self, reference: Reference, root: Path) -> None:
        self.reference, self.root = reference, root
        self.result: ExecuteInProcessResult = build_on("spark", reference, root)
        self.engine = SparkEngine(root / "warehouse.duckdb", root / "published.duckdb")

    def current(self) -> Path:
        root = self.engine.published_root
        return root / (root / CURRENT).read_text(encoding="utf-8").strip()


@pytest.fixture(scope="module")
def spark_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, SparkBuild]:
    require("Java", shutil.which("java") is not None, "apt-get install openjdk-17-jre-headless")
    return {
        seed: SparkBuild(
            reference_build(tmp_path_factory, seed), tmp_path_factory.mktemp(f"spark{seed}")
        )
        for seed in SPARK_SEEDS
    }


@pytest.mark.parametrize("seed", SPARK_SEEDS)
def test_the_whole_job_runs_on_spark(spark_builds: dict[int, SparkBuild], seed: int):
    build = spark_builds[seed]
    assert build.result.success
    checks = build.result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks if c.severity.value == "ERROR")
    # dbt wrote its tables as Parquet folders in the Spark warehouse
    assert (build.engine.dbt_warehouse / "marts.db" / "dim_persons").is_dir()
    log = build.engine.read_log()
    assert [entry[2] for entry in log] == [build.result.run_id]


@pytest.mark.parametrize("seed", SPARK_SEEDS)
def test_spark_publishes_exactly_what_duckdb_publishes(
    spark_builds: dict[int, SparkBuild], seed: int
):
    build = spark_builds[seed]
    expected = duckdb_tables(build.reference.published)
    actual = parquet_tables(build.current())
    assert len(expected) > 10 and sum(len(t.rows) for t in expected.values()) > 1000
    assert compare(expected, actual) == []


def test_the_hand_made_ties_and_cases_publish_as_computed_by_hand(
    spark_builds: dict[int, SparkBuild],
):
    """The hand-made cases of tests/hand_made_ties.py on Spark (whose nulls sort first
    unless told otherwise)."""
    for build in spark_builds.values():
        assert tie_differences(parquet_tables(build.current())) == []


def test_the_hand_made_funnel_publishes_the_metrics_computed_by_hand(
    spark_builds: dict[int, SparkBuild],
):
    """The five process metrics of tests/hand_made_funnel.py, and Hanako's exports of
    tests/hand_made_landing.py, on Spark."""
    for build in spark_builds.values():
        tables = parquet_tables(build.current())
        assert funnel_differences(tables) == []
        assert published_differences(tables) == []  # Hanako (tests/hand_made_landing.py)


def test_every_landed_row_reached_the_lake(spark_builds: dict[int, SparkBuild]):
    import duckdb

    build = spark_builds[SPARK_SEEDS[0]]
    store = duckdb.connect(str(build.root / "warehouse.duckdb"), read_only=True)
    try:
        for table in load_contract():
            folder = build.engine.lake / table.schema / table.name
            (local,) = store.execute(f"select count(*) from {table.qualified_name}").fetchone()
            (lake,) = store.execute(
                f"select count(*) from read_parquet('{folder}/*.parquet')"
            ).fetchone()
            assert lake == local, table.qualified_name
    finally:
        store.close()


@pytest.mark.parametrize(
    ("tables", "before_swap", "error"),
    [
        # a table that cannot be copied
        (
            {"dim_persons": "marts.dim_persons", "zz_broken": "marts.no_such_table"},
            None,
            r"(?i)no_such_table|not found|cannot be found",
        ),
        # the charts, drawn while the copy ran, failed: abandoned right before the swap
        ({"dim_persons": "marts.dim_persons"}, charts_failed, CHARTS_FAILURE),
    ],
    ids=["copy-fails", "charts-fail"],
)
def test_a_failed_publish_leaves_current_on_the_last_good_version(
    spark_builds: dict[int, SparkBuild],
    tables: dict[str, str],
    before_swap: Callable[[], None] | None,
    error: str,
):
    build = spark_builds[SPARK_SEEDS[0]]
    before, log = build.current(), build.engine.read_log()
    with pytest.raises(Exception, match=error):
        build.engine.publish(
            PublishRequest(
                tables=tables,
                run_id="failing",
                definitions_version=None,
                before_swap=before_swap,
            )
        )
    assert build.current() == before
    assert build.engine.read_log() == log
    # the half-written version folder is gone; only complete versions remain
    versions = [p for p in build.engine.published_root.iterdir() if p.is_dir()]
    assert versions == [before]


@pytest.mark.parametrize("seed", SPARK_SEEDS)
def test_unknown_crm_values_warn_as_computed_by_hand(
    spark_builds: dict[int, SparkBuild], seed: int
):
    """The CRM values coverage model and its check on this engine: the same unknown values
    and record counts as computed by hand (tests/hand_made_crm_values.py)."""
    assert crm_value_differences(spark_builds[seed].result) == []


@pytest.mark.parametrize("seed", SPARK_SEEDS)
def test_no_name_email_or_phone_is_published(spark_builds: dict[int, SparkBuild], seed: int):
    """The privacy scan of the DuckDB publish (test_publish.py), on this engine's
    published tables: no identifier-like column beyond the judged ones, and no text value
    that is a person's or user's email, name or phone, or holds an @."""
    build = spark_builds[seed]
    published = parquet_tables(build.current())
    known = identifiers(build.reference.warehouse)
    assert len(known) > 300
    assert identifier_like_columns(published) == set(NAME_LIKE_COLUMNS_ALLOWED)
    assert leaks(published, known) == {}

"""The one place that decides where things live.

Every path the project uses comes from `Settings`. It is built on demand (never at import
time) from environment variables, so tests and deployments can point the whole pipeline at
another folder without touching code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENV_DATA_DIR = "COMMON_FUNNEL_DATA_DIR"
ENV_WAREHOUSE = "COMMON_FUNNEL_WAREHOUSE"
ENV_LANDING_DIR = "COMMON_FUNNEL_LANDING_DIR"
ENV_DEFINITIONS = "COMMON_FUNNEL_DEFINITIONS"
ENV_PUBLISHED = "COMMON_FUNNEL_PUBLISHED"
ENV_SCHEDULE_CRON = "COMMON_FUNNEL_SCHEDULE_CRON"
ENV_SCHEDULE_TIMEZONE = "COMMON_FUNNEL_SCHEDULE_TIMEZONE"
# "1": the dbt manifest was prepared ahead (an image build, CI, tests); `dagster dev` must
# not re-parse the project on start (another process may be reading the manifest)
ENV_DBT_PREPARED = "COMMON_FUNNEL_DBT_PREPARED"
# Where the CRM and marketing-automation tables come from (README: "Connecting your Fivetran
# tables"): `files` (landing-zone exports, ingested) or `fivetran` (a connector's tables in
# a DuckDB file, attached read-only and observed). dbt's profile and sources read the same
# variables, so a hand-run `dbt build` follows the same mode.
ENV_SALESFORCE_SOURCE = "COMMON_FUNNEL_SALESFORCE_SOURCE"
ENV_HUBSPOT_SOURCE = "COMMON_FUNNEL_HUBSPOT_SOURCE"
ENV_FIVETRAN_DATABASE = "COMMON_FUNNEL_FIVETRAN_DATABASE"
ENV_SALESFORCE_SCHEMA = "COMMON_FUNNEL_SALESFORCE_SCHEMA"
ENV_HUBSPOT_SCHEMA = "COMMON_FUNNEL_HUBSPOT_SCHEMA"
SOURCE_MODES = ("files", "fivetran")
# Where dbt builds, the gate checks and the publish writes (README: "Running on PostgreSQL",
# "Running on Spark"); connection settings are the engine's own environment variables
# (PostgreSQL: libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE; Spark:
# COMMON_FUNNEL_SPARK_DIR and COMMON_FUNNEL_SPARK_MASTER).
ENV_ENGINE = "COMMON_FUNNEL_ENGINE"
ENGINES = ("duckdb", "postgres", "spark")
# "1": the run also runs dbt's unit tests. Default "0": production runs leave them out (they
# test the SQL, not the data: dbt's own advice; the test suite and CI run them on every
# engine).
ENV_DBT_UNIT_TESTS = "COMMON_FUNNEL_DBT_UNIT_TESTS"
# "0": the dbt step attaches each model's columns but not their column lineage. Default "1":
# the UI shows column lineage (derived once per model SQL and cached beside the manifest,
# orchestration/transform/table_metadata.py).
ENV_DBT_COLUMN_LINEAGE = "COMMON_FUNNEL_DBT_COLUMN_LINEAGE"
# "0": every run rebuilds. Default "1": a run with no new landed file and nothing else
# changed since the last publish skips dbt, the checks and the publish
# (orchestration/transform/unchanged.py).
ENV_SKIP_UNCHANGED = "COMMON_FUNNEL_SKIP_UNCHANGED"
# How much memory DuckDB may use for the warehouse, in dbt and in the pipeline's own
# connections (DuckDB's `memory_limit`: "2.5GB", "800MB"); beyond it DuckDB spills to a
# `<warehouse>.tmp` folder beside the file. DuckDB's own default is 80% of the machine's
# memory; ours keeps a 1,000,000-person run within about 4 GB (README "Benchmark"). The
# dbt profile (dbt_project/profiles.yml) reads the same variable with the same default.
ENV_DUCKDB_MEMORY_LIMIT = "COMMON_FUNNEL_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY_LIMIT = "2.5GB"
# How many raw tables the ingest step loads at once (threads on one DuckDB database, which
# shares its memory limit among them); default: one per core, at most 4. 1 loads them one
# after the other.
ENV_INGEST_THREADS = "COMMON_FUNNEL_INGEST_THREADS"
MAX_DEFAULT_INGEST_THREADS = 4
MEMORY_LIMIT_PATTERN = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
DEFAULT_SCHEDULE_CRON = "0 6 * * *"
DEFAULT_SCHEDULE_TIMEZONE = "Asia/Tokyo"
DEFAULT_DEFINITIONS = PROJECT_ROOT / "orchestration" / "common_language" / "funnel_definitions.yml"

# Variables that switch off the phone-home behaviour of every tool in the stack.
TELEMETRY_OFF: dict[str, str] = {
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
}


class SettingsError(ValueError):
    """A setting that cannot work; the message names the variable."""


@dataclass(frozen=True)
class SourceModes:
    """Where each connector-landed system comes from; events and target lists are always
    file drops."""

    salesforce: str = "files"
    hubspot: str = "files"
    fivetran_database: Path | None = None
    salesforce_schema: str = "salesforce"
    hubspot_schema: str = "hubspot"

    def mode(self, system: str) -> str:
        return {"salesforce": self.salesforce, "hubspot": self.hubspot}.get(system, "files")

    @property
    def uses_fivetran(self) -> bool:
        return "fivetran" in (self.salesforce, self.hubspot)

    def env(self) -> dict[str, str]:
        """The variables dbt's profile and sources read (a dbt subprocess gets these)."""
        return {
            ENV_SALESFORCE_SOURCE: self.salesforce,
            ENV_HUBSPOT_SOURCE: self.hubspot,
            ENV_FIVETRAN_DATABASE: str(self.fivetran_database or ""),
            ENV_SALESFORCE_SCHEMA: self.salesforce_schema,
            ENV_HUBSPOT_SCHEMA: self.hubspot_schema,
        }


def load_source_modes(env: Mapping[str, str] | None = None) -> SourceModes:
    """Read and check the source settings; a wrong one fails naming the variable."""
    env = os.environ if env is None else env
    modes = {}
    for system, variable in (
        ("salesforce", ENV_SALESFORCE_SOURCE),
        ("hubspot", ENV_HUBSPOT_SOURCE),
    ):
        value = (env.get(variable) or "files").strip().lower()
        if value not in SOURCE_MODES:
            raise SettingsError(f"{variable}={value!r}: must be one of {', '.join(SOURCE_MODES)}")
        modes[system] = value
    database = env.get(ENV_FIVETRAN_DATABASE) or ""
    if "fivetran" in modes.values() and not database:
        raise SettingsError(
            f"{ENV_FIVETRAN_DATABASE} must name the Fivetran DuckDB file when "
            f"{ENV_SALESFORCE_SOURCE} or {ENV_HUBSPOT_SOURCE} is fivetran"
        )
    return SourceModes(
        salesforce=modes["salesforce"],
        hubspot=modes["hubspot"],
        fivetran_database=Path(database).resolve() if database else None,
        salesforce_schema=env.get(ENV_SALESFORCE_SCHEMA) or "salesforce",
        hubspot_schema=env.get(ENV_HUBSPOT_SCHEMA) or "hubspot",
    )


def load_engine(env: Mapping[str, str] | None = None, modes: SourceModes | None = None) -> str:
    """The engine's name, checked; Fivetran's DuckDB file is read by DuckDB only."""
    env = os.environ if env is None else env
    name = (env.get(ENV_ENGINE) or "duckdb").strip().lower()
    if name not in ENGINES:
        raise SettingsError(f"{ENV_ENGINE}={name!r}: must be one of {', '.join(ENGINES)}")
    if name != "duckdb" and modes is not None and modes.uses_fivetran:
        raise SettingsError(
            f"{ENV_ENGINE}={name}: the Fivetran sources (a DuckDB file) are read by the duckdb "
            f"engine only; set {ENV_SALESFORCE_SOURCE}/{ENV_HUBSPOT_SOURCE} to files"
        )
    return name


@dataclass(frozen=True)
class Settings:
    """Resolved locations of the data folder, landing zone, warehouse and published file."""

    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    definitions_path: Path = DEFAULT_DEFINITIONS
    published_path: Path | None = None  # None: published.duckdb beside the warehouse
    schedule_cron: str = DEFAULT_SCHEDULE_CRON
    schedule_timezone: str = DEFAULT_SCHEDULE_TIMEZONE
    dbt_prepared: bool = False
    sources: SourceModes = SourceModes()
    engine: str = "duckdb"

    @property
    def published(self) -> Path:
        return self.published_path or self.warehouse_path.with_name("published.duckdb")

    @property
    def ground_truth_dir(self) -> Path:
        return self.data_dir / "ground_truth"

    @property
    def dagster_home(self) -> Path:
        return PROJECT_ROOT / "dagster_home"


def duckdb_memory_limit(env: Mapping[str, str] | None = None) -> str:
    """DuckDB's memory limit for the warehouse; a value DuckDB would not read fails here,
    naming the variable."""
    env = os.environ if env is None else env
    value = (env.get(ENV_DUCKDB_MEMORY_LIMIT) or DEFAULT_DUCKDB_MEMORY_LIMIT).strip()
    if not MEMORY_LIMIT_PATTERN.match(value):
        raise ValueError(f"{ENV_DUCKDB_MEMORY_LIMIT}={value!r}: give a size such as 2.5GB or 800MB")
    return value


def ingest_threads(env: Mapping[str, str] | None = None) -> int:
    """Tables the ingest step loads at once; a value that is no positive whole number fails
    here, naming the variable."""
    env = os.environ if env is None else env
    value = (env.get(ENV_INGEST_THREADS) or "").strip()
    if not value:
        return max(1, min(MAX_DEFAULT_INGEST_THREADS, os.cpu_count() or 1))
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{ENV_INGEST_THREADS}={value!r}: give a whole number, 1 or more")
    return int(value)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get(ENV_DATA_DIR) or PROJECT_ROOT / "data").resolve()
    landing_dir = Path(env.get(ENV_LANDING_DIR) or data_dir / "landing").resolve()
    warehouse = Path(env.get(ENV_WAREHOUSE) or data_dir / "warehouse.duckdb").resolve()
    definitions = Path(env.get(ENV_DEFINITIONS) or DEFAULT_DEFINITIONS).resolve()
    published = env.get(ENV_PUBLISHED)
    modes = load_source_modes(env)
    return Settings(
        data_dir,
        landing_dir,
        warehouse,
        definitions,
        Path(published).resolve() if published else None,
        env.get(ENV_SCHEDULE_CRON) or DEFAULT_SCHEDULE_CRON,
        env.get(ENV_SCHEDULE_TIMEZONE) or DEFAULT_SCHEDULE_TIMEZONE,
        env.get(ENV_DBT_PREPARED) == "1",
        modes,
        load_engine(env, modes),
    )


@contextmanager
def overridden_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for a block (dbt's profile and sources, libpq and the
    engine settings read them from the environment), then restore what was there."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def apply_process_defaults() -> None:
    """Telemetry off and a project-local DAGSTER_HOME, for entry points only."""
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / "dagster_home"))

"""Dagster resources: the warehouse connection and the landing zone.

Both default to the locations in `Settings`; a deployment or a test overrides them by
configuring the resource (for example from `EnvVar`) rather than by editing code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field

from orchestration.engines.base import Engine
from orchestration.run_lock import warehouse_run_lock
from orchestration.settings import (
    ENV_ENGINE,
    ENV_FIVETRAN_DATABASE,
    ENV_HUBSPOT_SCHEMA,
    ENV_HUBSPOT_SOURCE,
    ENV_SALESFORCE_SCHEMA,
    ENV_SALESFORCE_SOURCE,
    SourceModes,
    duckdb_memory_limit,
    load_engine,
    load_settings,
    load_source_modes,
)


class WarehouseResource(ConfigurableResource):
    """The embedded DuckDB warehouse. One writer at a time; connections always closed.

    A run that uses it holds the warehouse's run lock (`orchestration/run_lock.py`) from
    the start of its execution to the end, so runs never interleave, however launched."""

    path: str = Field(default="", description="DuckDB file; empty means Settings' default.")
    threads: int = Field(default=0, description="DuckDB threads; 0 lets DuckDB decide.")
    engine: str = Field(
        default="", description="duckdb, postgres or spark; empty means Settings' engine."
    )
    run_lock_timeout_seconds: float = Field(
        default=6 * 3600.0,
        description="How long a run waits for another run to release the warehouse.",
    )

    def resolved_path(self) -> Path:
        return Path(self.path) if self.path else load_settings().warehouse_path

    def engine_name(self) -> str:
        return load_engine({ENV_ENGINE: self.engine}) if self.engine else load_settings().engine

    def engine_for(self, published: Path | None = None) -> Engine:
        """The engine this warehouse builds on; `published`: the published DuckDB file
        (only the duckdb engine writes it; default beside the warehouse)."""
        from orchestration.engines.select import engine_for

        path = self.resolved_path()
        return engine_for(self.engine_name(), path, published or path.with_name("published.duckdb"))

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseResource]:
        run_id = context.run_id or "outside a run"
        report = context.log.info if context.log else print
        with warehouse_run_lock(
            self.resolved_path(), run_id, self.run_lock_timeout_seconds, report
        ) as waited:
            if waited >= 1:
                report(f"waited {waited:.1f} s for the warehouse run lock")
            yield self

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.resolved_path()
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only)
        try:
            # a setting of the open database, not a connect option: another connection to
            # the same file in this process would refuse a different configuration
            con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
            if self.threads:
                con.execute(f"set threads = {int(self.threads)}")
            yield con
        finally:
            con.close()


class LandingResource(ConfigurableResource):
    """The folder where exports land, one sub-folder per source system and table."""

    root: str = Field(default="", description="Landing folder; empty means Settings' default.")

    def resolved_root(self) -> Path:
        return Path(self.root) if self.root else load_settings().landing_dir


class DefinitionsFileResource(ConfigurableResource):
    """The agreed definitions file (YAML) the pipeline builds from."""

    path: str = Field(default="", description="Definitions file; empty means Settings' default.")

    def resolved_path(self) -> Path:
        return Path(self.path) if self.path else load_settings().definitions_path


class PublishedResource(ConfigurableResource):
    """The published DuckDB file analysts read (read-only); the pipeline only swaps it."""

    path: str = Field(default="", description="Published file; empty means Settings' default.")

    def resolved_path(self) -> Path:
        return Path(self.path) if self.path else load_settings().published

    def quality_dir(self) -> Path:
        """GE Data Docs and other quality-gate output, beside the published file."""
        return self.resolved_path().parent / "quality"

    def charts_dir(self) -> Path:
        """Chart files for people without the UI, beside the published file."""
        return self.resolved_path().parent / "charts"


class SourcesResource(ConfigurableResource):
    """Where the connector-landed systems come from (README: "Connecting your Fivetran
    tables"). Empty fields take the environment's settings (COMMON_FUNNEL_*_SOURCE, ...)."""

    salesforce: str = Field(default="", description="files or fivetran; empty: settings.")
    hubspot: str = Field(default="", description="files or fivetran; empty: settings.")
    fivetran_database: str = Field(default="", description="Fivetran DuckDB file.")
    salesforce_schema: str = Field(default="", description="Fivetran's Salesforce schema.")
    hubspot_schema: str = Field(default="", description="Fivetran's HubSpot schema.")

    def modes(self) -> SourceModes:
        given = {
            ENV_SALESFORCE_SOURCE: self.salesforce,
            ENV_HUBSPOT_SOURCE: self.hubspot,
            ENV_FIVETRAN_DATABASE: self.fivetran_database,
            ENV_SALESFORCE_SCHEMA: self.salesforce_schema,
            ENV_HUBSPOT_SCHEMA: self.hubspot_schema,
        }
        if not any(given.values()):
            return load_settings().sources
        return load_source_modes({k: v for k, v in given.items() if v})

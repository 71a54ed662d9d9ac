"""The engine a run uses, by name (COMMON_FUNNEL_ENGINE or the resource's setting)."""

from __future__ import annotations

from pathlib import Path

from orchestration.engines.base import Engine
from orchestration.settings import ENGINES, ENV_ENGINE, SettingsError


def engine_for(name: str, warehouse: Path, published: Path) -> Engine:
    if name == "duckdb":
        from orchestration.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine(warehouse, published)
    if name == "postgres":
        from orchestration.engines.postgres_engine import PostgresEngine

        return PostgresEngine(warehouse, published)
    if name == "spark":
        from orchestration.engines.spark_engine import SparkEngine

        return SparkEngine(warehouse, published)
    raise SettingsError(f"{ENV_ENGINE}={name!r}: must be one of {', '.join(ENGINES)}")

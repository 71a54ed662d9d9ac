"""Close the DuckDB connection dagster-dbt opens in the Dagster process.

`fetch_row_counts()` and `fetch_column_metadata()` query the warehouse through dbt's
adapter inside the step's process. dbt-duckdb keeps that connection in a class-level
environment (`DuckDBConnectionManager._ENV`) even after dbt's own cleanup, so the file
stays open read-write: any later read-only open in this process fails ("different
configuration") and, while it lives, no other process can open the file at all.

This module is the only place that touches dbt-duckdb internals; the end-to-end tests open
the warehouse right after a build and fail loudly if this stops working.
"""

from __future__ import annotations

from typing import Any


def close_adapter_connections(adapter: Any | None) -> None:
    if adapter is not None:
        adapter.cleanup_connections()
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    connection = getattr(environment, "conn", None)
    if connection is not None:
        connection.close()
        environment.conn = None  # type: ignore[union-attr]
    DuckDBConnectionManager.close_all_connections()

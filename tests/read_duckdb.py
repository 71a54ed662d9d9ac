"""Read a DuckDB file the way an analyst would: read-only, the connection always closed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb


def fetch_all(path: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()

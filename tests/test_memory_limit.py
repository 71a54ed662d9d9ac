"""DuckDB's memory ceiling (COMMON_FUNNEL_DUCKDB_MEMORY_LIMIT) reaches every DuckDB that
opens the warehouse: the pipeline's own connections and dbt's (whose profile also takes
its threads from COMMON_FUNNEL_DBT_THREADS)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.resources import WarehouseResource
from orchestration.settings import (
    DEFAULT_DUCKDB_MEMORY_LIMIT,
    ENV_DUCKDB_MEMORY_LIMIT,
    ENV_WAREHOUSE,
    TELEMETRY_OFF,
    duckdb_memory_limit,
)
from orchestration.transform.project import DBT_PROJECT_DIR, dbt_executable

LIMIT = "700MB"  # not the default, so a setting that never arrives shows


def _as_duckdb_reports(limit: str) -> str:
    """How DuckDB itself shows a limit (it rounds to binary units), from a connection
    of its own."""
    con = duckdb.connect()
    try:
        con.execute(f"set memory_limit = '{limit}'")
        return str(con.execute("select current_setting('memory_limit')").fetchall()[0][0])
    finally:
        con.close()


def test_the_pipelines_connections_carry_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ENV_DUCKDB_MEMORY_LIMIT, LIMIT)
    resource = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    with resource.connect() as con:
        shown = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert shown == _as_duckdb_reports(LIMIT)
    assert shown != _as_duckdb_reports(DEFAULT_DUCKDB_MEMORY_LIMIT)


def test_dbt_runs_under_the_same_limit(tmp_path: Path):
    env = {
        **os.environ,
        **TELEMETRY_OFF,
        ENV_WAREHOUSE: str(tmp_path / "warehouse.duckdb"),
        ENV_DUCKDB_MEMORY_LIMIT: LIMIT,
        "COMMON_FUNNEL_DBT_THREADS": "3",  # and dbt's threads, read from the same profile
    }
    completed = subprocess.run(
        [
            dbt_executable(),
            "--log-format",
            "json",
            "show",
            "--inline",
            "select current_setting('memory_limit') as memory_limit",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--output",
            "json",
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    previews = [
        json.loads(json.loads(line)["data"]["preview"])
        for line in completed.stdout.splitlines()
        if line.startswith("{") and '"preview"' in line
    ]
    assert previews == [[{"memory_limit": _as_duckdb_reports(LIMIT)}]]
    assert "Concurrency: 3 threads (target='local')" in completed.stdout


def test_the_dbt_profile_and_the_settings_agree_on_the_default():
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    defaults = re.findall(rf"env_var\('{ENV_DUCKDB_MEMORY_LIMIT}', '([^']+)'\)", profile)
    assert defaults and set(defaults) == {DEFAULT_DUCKDB_MEMORY_LIMIT}
    assert duckdb_memory_limit({}) == DEFAULT_DUCKDB_MEMORY_LIMIT


@pytest.mark.parametrize("value", ["lots", "2.5", "-1GB", "2.5 GB;drop table x"])
def test_an_unreadable_limit_names_the_variable(value: str):
    with pytest.raises(ValueError, match=ENV_DUCKDB_MEMORY_LIMIT):
        duckdb_memory_limit({ENV_DUCKDB_MEMORY_LIMIT: value})

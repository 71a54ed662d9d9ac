"""Build the semantic layer under a set of definitions in a sandbox beside the warehouse.

A proposal never writes to the warehouse, the published file or a running build: under
the warehouse's run lock (waiting for a run that holds it, like any run) the raw tables
are copied into `<proposal>/base/warehouse.duckdb`, then the lock is released; the
proposed side gets a copy of that file, so both sides build from exactly the same rows.
Each side receives its own definitions tables (the same writer as the definitions asset)
and dbt builds it: `dbt run`, then `dbt test` (a failing test must not skip what comes
after it: the report says which tests would fail), with the sandbox's own target and
log folders. Each side's file is `warehouse.duckdb`, whatever the warehouse is called.

The two sides build at the same time (two dbt processes; dbt is mostly one busy Python
thread). dbt runs in the side's folder with the warehouse named relatively, so both sides,
and every proposal, have the same profile: the project is parsed once and then reused
through `transform/partial_parse.py`'s cache instead of four full parses per proposal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.common_language.load import LoadedDefinitions
from orchestration.common_language.tables import definition_tables, write_tables
from orchestration.ingest.loader import sql_literal
from orchestration.run_lock import warehouse_run_lock
from orchestration.settings import (
    ENV_DBT_UNIT_TESTS,
    ENV_ENGINE,
    ENV_HUBSPOT_SOURCE,
    ENV_SALESFORCE_SOURCE,
    ENV_WAREHOUSE,
    TELEMETRY_OFF,
)
from orchestration.transform import partial_parse
from orchestration.transform.project import DBT_PROJECT_DIR, dbt_executable

LOCK_TIMEOUT_SECONDS = 3600.0
WAREHOUSE_NAME = "warehouse.duckdb"  # in each side's folder, named relatively for dbt
# what dbt's profile and sources read in a sandbox: the same for every side and proposal
SANDBOX_SETTINGS = {
    ENV_WAREHOUSE: WAREHOUSE_NAME,
    ENV_DBT_UNIT_TESTS: "0",
    # the sandbox holds the file-landed raw tables, on DuckDB
    ENV_ENGINE: "duckdb",
    ENV_SALESFORCE_SOURCE: "files",
    ENV_HUBSPOT_SOURCE: "files",
}


class ProposalError(RuntimeError):
    """A proposal could not be built; the message says which side and why."""


@dataclass
class TestOutcome:
    name: str
    model: str | None
    status: str  # pass, warn, fail, error
    failures: int
    message: str


@dataclass
class SideBuild:
    """One side of a proposal: its warehouse, and what dbt's tests said."""

    side: str
    warehouse: Path
    definitions: LoadedDefinitions
    tests: list[TestOutcome] = field(default_factory=list)


def copy_raw(warehouse: Path, target: Path, holder: str) -> dict[str, int]:
    """Every raw table of the warehouse into a new file `target`, read under the run lock;
    returns rows per table."""
    if not warehouse.exists():
        raise ProposalError(f"{warehouse}: no warehouse yet; run `common-funnel materialize`")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with warehouse_run_lock(warehouse, holder, LOCK_TIMEOUT_SECONDS):
        con = duckdb.connect(str(target))
        try:
            con.execute(f"attach {sql_literal(str(warehouse))} as source (read_only)")
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables()"
                " where database_name = 'source' and starts_with(schema_name, 'raw_')"
                " order by 1, 2"
            ).fetchall()
            for schema, table in tables:
                con.execute(f"create schema if not exists {schema}")
                con.execute(f"create table {schema}.{table} as from source.{schema}.{table}")
                (rows,) = con.execute(f"select count(*) from {schema}.{table}").fetchone() or (0,)
                counts[f"{schema}.{table}"] = int(rows)
            con.execute("detach source")
            con.execute("checkpoint")
        finally:
            con.close()
    return counts


def write_definitions(warehouse: Path, definitions: LoadedDefinitions) -> None:
    """The side's definitions tables, written as the definitions asset writes them."""
    con = duckdb.connect(str(warehouse))
    try:
        write_tables(con, definition_tables(definitions))
    finally:
        con.close()


def _dbt(command: str, side_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **TELEMETRY_OFF, **SANDBOX_SETTINGS}
    args = [
        dbt_executable(),
        command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(side_dir / "target"),
        "--log-path",
        str(side_dir / "logs"),
        "--exclude",
        "resource_type:unit_test",
    ]
    # cwd: the side's folder, where the relative warehouse name points
    return subprocess.run(args, env=env, cwd=side_dir, capture_output=True, text=True, check=False)


def _test_outcomes(run_results: Path, manifest: dict[str, Any]) -> list[TestOutcome]:
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    nodes = manifest.get("nodes", {})
    outcomes = []
    for result in results:
        node = nodes.get(result["unique_id"], {})
        attached = node.get("attached_node") or ""
        outcomes.append(
            TestOutcome(
                name=node.get("name", result["unique_id"]),
                model=attached.rsplit(".", 1)[-1] if attached else None,
                status=str(result["status"]),
                failures=int(result.get("failures") or 0),
                message=str(result.get("message") or ""),
            )
        )
    return outcomes


def build_side(side: str, side_dir: Path, definitions: LoadedDefinitions) -> SideBuild:
    """dbt run, then dbt test, in the side's sandbox; a model that fails stops the build
    (nothing to compare), a failing test is recorded."""
    warehouse = side_dir / WAREHOUSE_NAME
    write_definitions(warehouse, definitions)
    cache, parse_key = DBT_PROJECT_DIR / "target", partial_parse.cache_key(SANDBOX_SETTINGS)
    partial_parse.seed(cache, parse_key, side_dir / "target")
    ran = _dbt("run", side_dir)
    if ran.returncode != 0:
        tail = "\n".join((ran.stdout + ran.stderr).strip().splitlines()[-15:])
        raise ProposalError(f"the {side} side's models failed to build:\n{tail}")
    partial_parse.keep(cache, parse_key, side_dir / "target")
    tested = _dbt("test", side_dir)
    results = side_dir / "target" / "run_results.json"
    manifest_path = side_dir / "target" / "manifest.json"
    if not results.exists() or not manifest_path.exists():
        raise ProposalError(f"the {side} side's tests did not run:\n{tested.stdout[-2000:]}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return SideBuild(side, warehouse, definitions, _test_outcomes(results, manifest))


def build_sides(
    warehouse: Path, root: Path, base: LoadedDefinitions, proposal: LoadedDefinitions
) -> tuple[SideBuild, SideBuild]:
    """Both sides from one copy of the raw tables."""
    base_dir, proposed_dir = root / "base", root / "proposed"
    copy_raw(warehouse, base_dir / WAREHOUSE_NAME, f"proposal {root.name}")
    proposed_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base_dir / WAREHOUSE_NAME, proposed_dir / WAREHOUSE_NAME)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="proposal-side") as pool:
        base_build = pool.submit(build_side, "base", base_dir, base)
        proposed_build = pool.submit(build_side, "proposed", proposed_dir, proposal)
        return base_build.result(), proposed_build.result()

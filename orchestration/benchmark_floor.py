"""The floor: what DuckDB alone needs for the pipeline's work, the baseline of the benchmark.

No Dagster, no dbt, no checks: in one DuckDB connection,
1. load: every landed file read with `read_csv` (CP932 files decoded to UTF-8 first, as
   DuckDB cannot read them) and typed by the landing contract's own expressions into the
   raw tables, with the same bookkeeping columns; no validation, no ledger, no quarantine;
   the definitions tables copied from the pipeline's warehouse (a few hundred rows);
2. models: the compiled SQL of every model dbt builds (`dbt compile` output, unit tests
   excluded), in dependency order, as views and tables like dbt materializes them;
3. tests: every data test's compiled SQL, counted.

The result's row counts are compared with the pipeline's own warehouse: a floor that
did less work would not be a floor.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.ingest.contract import load_contract
from orchestration.ingest.decode import is_utf8_family, sha256_of, to_utf8
from orchestration.ingest.ingest_table import landed_files
from orchestration.ingest.loader import (
    read_header,
    record_checks,
    sql_literal,
    typed_columns,
)
from orchestration.settings import ENV_ENGINE, ENV_WAREHOUSE, TELEMETRY_OFF
from orchestration.transform.project import DBT_PROJECT_DIR, dbt_executable


@dataclass
class FloorResult:
    load_seconds: float = 0.0
    model_seconds: float = 0.0
    test_seconds: float = 0.0
    cpu_seconds: float = 0.0
    models: int = 0
    tests: int = 0
    differing_row_counts: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.load_seconds + self.model_seconds + self.test_seconds


def compiled_manifest(warehouse: Path, workdir: Path) -> dict[str, Any]:
    """`dbt compile` (not timed) into its own target folder; the manifest with SQL."""
    target = workdir / "floor-target"
    # the floor is DuckDB's whatever engine the pipeline runs on
    env = {**os.environ, **TELEMETRY_OFF, ENV_WAREHOUSE: str(warehouse), ENV_ENGINE: "duckdb"}
    command = [dbt_executable(), "compile", "--exclude", "resource_type:unit_test"]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(target), "--quiet"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dbt compile failed for the floor:\n{done.stdout}{done.stderr}")
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def _load_landing(con: duckdb.DuckDBPyConnection, landing: Path, scratch: Path) -> None:
    for table in load_contract():
        con.execute(f"create schema if not exists {table.schema}")
        created = False
        for path in landed_files(table, landing)[0]:
            display = path.relative_to(landing).as_posix()
            readable = path
            if not is_utf8_family(table.encoding):
                scratch_copy = scratch / f"{path.name}.utf8"
                readable = to_utf8(path, table.encoding, scratch_copy, display).path
            header = read_header(readable, display)
            typed, checks = typed_columns(table, header)
            sources = [f"_c{i}" for i in range(len(header))]
            checks += [condition for condition, _ in record_checks(header, sources)]
            columns = ", ".join(f"'{c}': 'varchar'" for c in sources)
            # the rows the loader would quarantine are left out, so the counts match
            select = (
                f"select {', '.join(c.name for c in table.columns)},"
                " cast(null as json) as _extra_columns,"
                f" {sql_literal(display)} as _source_file, _source_line,"
                f" {sql_literal(sha256_of(path))} as _file_sha256, now() as _loaded_at"
                f" from (select {', '.join(sources)}, {', '.join(typed)},"
                " cast(row_number() over () + 1 as bigint) as _source_line"
                f" from read_csv({sql_literal(str(readable))}, header = true,"
                f" auto_detect = false, columns = {{{columns}}}, delim = ',', quote = '\"',"
                " escape = '\"', null_padding = true, ignore_errors = true))"
                f" where not ({' or '.join(f'({c})' for c in checks)})"
            )
            target = f"{table.schema}.{table.name}"
            if created:
                con.execute(f"insert into {target} {select}")
            else:
                con.execute(f"create table {target} as {select}")
                created = True


def _in_dependency_order(nodes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    ordered: list[dict[str, Any]] = []
    done: set[str] = set()

    def visit(unique_id: str) -> None:
        if unique_id in done or unique_id not in nodes:
            return
        done.add(unique_id)
        for parent in nodes[unique_id]["depends_on"]["nodes"]:
            visit(parent)
        ordered.append(nodes[unique_id])

    for unique_id in sorted(nodes):
        visit(unique_id)
    return ordered


def run_floor(
    landing: Path, warehouse: Path, workdir: Path, compare_rows: bool = True
) -> FloorResult:
    """The floor for the landing zone `landing`; `warehouse` is the pipeline's warehouse
    (the definitions tables are copied from it and, with `compare_rows`, the row counts
    compared with it: off when the pipeline built its models in another engine)."""
    manifest = compiled_manifest(warehouse, workdir)
    floor_dir = workdir / "floor"
    floor_dir.mkdir(parents=True, exist_ok=True)
    # the same file name: the compiled SQL names the catalog after it
    path = floor_dir / warehouse.name
    path.unlink(missing_ok=True)
    result = FloorResult()
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    cpu_started = time.process_time()
    con = duckdb.connect(str(path))
    try:
        con.execute("set TimeZone = 'UTC'")
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=workdir) as scratch:
            _load_landing(con, landing, Path(scratch))
        con.execute(f"attach {sql_literal(str(warehouse))} as pipeline (read_only)")
        con.execute("create schema if not exists definitions")
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'pipeline'"
            " and schema_name = 'definitions'"
        ).fetchall():
            con.execute(f"create table definitions.{table} as from pipeline.definitions.{table}")
        result.load_seconds = time.perf_counter() - started

        started = time.perf_counter()
        for node in _in_dependency_order(models):
            con.execute(f"create schema if not exists {node['schema']}")
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f"create {kind} {node['relation_name']} as {node['compiled_code']}")
        result.model_seconds = time.perf_counter() - started
        result.models = len(models)

        started = time.perf_counter()
        for node in tests:
            con.execute(f"select count(*) from ({node['compiled_code']}) as test").fetchone()
        result.test_seconds = time.perf_counter() - started
        result.tests = len(tests)
        result.cpu_seconds = time.process_time() - cpu_started

        for node in models.values() if compare_rows else ():
            if node["config"]["materialized"] != "table":
                continue
            relation = f"{node['schema']}.{node['alias']}"
            (floor_rows,) = con.execute(f"select count(*) from {relation}").fetchone() or (0,)
            (rows,) = con.execute(f"select count(*) from pipeline.{relation}").fetchone() or (0,)
            if floor_rows != rows:
                result.differing_row_counts.append(f"{relation}: {floor_rows} vs {rows}")
    finally:
        con.close()
    return result

"""A run with nothing new skips dbt, the checks and the publish (README "Daily runs").

What the published tables are built from, as one fingerprint: every landed file the
ingestion ledger loaded (table and SHA-256), the agreed definitions (version and hash), the
dbt project (its manifest fingerprint), the pipeline's own code, quality suites and landing
contract, the engine and the dbt step's settings. Each successful publish records it in
the ingestion store (`ingest.published_inputs`). The dbt step compares: when nothing
changed since the last publish, and that publish is still the engine's current one, it
builds nothing and says why in its log (a refused publish records nothing, so the run
after a volume change was accepted always rebuilds);
Dagster then skips the checks and the publish that depend on it (the UI shows them
skipped). Connector-landed sources (Fivetran) have no ledger of files: never skipped.
COMMON_FUNNEL_SKIP_UNCHANGED=0 always rebuilds.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from orchestration.engines.base import Engine
from orchestration.settings import ENV_DBT_UNIT_TESTS, ENV_SKIP_UNCHANGED, PROJECT_ROOT
from orchestration.transform.project import DBT_PROJECT_DIR, FINGERPRINT

RECORD_DDL = """
create schema if not exists ingest;
create table if not exists ingest.published_inputs (
    publish_id varchar not null,
    fingerprint varchar not null,
    recorded_at timestamp not null default current_timestamp
)
"""
# what else shapes the published tables: code, suites, contract
CODE_FOLDERS = ("orchestration", "expectations")
CODE_SUFFIXES = (".py", ".json", ".yml", ".yaml")


def _rows(warehouse: Path, sql: str) -> list[tuple[object, ...]] | None:
    """The query's rows from the ingestion store; None when the file or table is missing."""
    if not warehouse.exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def _code_digest() -> str:
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(warehouse: Path, engine: str) -> str | None:
    """The fingerprint of what a build would read now; None when it cannot be known."""
    stamp = DBT_PROJECT_DIR / "target" / FINGERPRINT
    if not stamp.exists():
        return None
    files = _rows(
        warehouse, "select table_name, sha256 from ingest.file_loads order by table_name, sha256"
    )
    definitions = _rows(
        warehouse, "select definitions_version, definitions_sha256 from definitions.agreement"
    )
    if files is None or definitions is None:
        return None
    digest = hashlib.sha256()
    for part in (
        repr(files),
        repr(definitions),
        stamp.read_text(encoding="utf-8").strip(),
        _code_digest(),
        engine,
        os.environ.get(ENV_DBT_UNIT_TESTS, "0").strip(),
    ):
        digest.update(part.encode("utf-8") + b"\n")
    return digest.hexdigest()


def record(warehouse: Path, publish_id: str, fingerprint: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(RECORD_DDL)
        con.execute(
            "insert into ingest.published_inputs (publish_id, fingerprint) values (?, ?)",
            [publish_id, fingerprint],
        )
    finally:
        con.close()


def last_recorded(warehouse: Path) -> tuple[str, str] | None:
    """(publish_id, fingerprint) of the last publish that recorded its inputs."""
    rows = _rows(
        warehouse,
        "select publish_id, fingerprint from ingest.published_inputs"
        " order by recorded_at desc limit 1",
    )
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


def unchanged_since_last_publish(warehouse: Path, engine: Engine, connector: bool) -> str | None:
    """Why this run need not build anything, or None when it must."""
    if connector or os.environ.get(ENV_SKIP_UNCHANGED, "1").strip() == "0":
        return None
    last = last_recorded(warehouse)
    if last is None or inputs_fingerprint(warehouse, engine.name) != last[1]:
        return None
    log = engine.read_log()
    if not log or log[-1][0] != last[0]:
        return None  # the publish it recorded is not the current one any more
    return (
        f"Nothing changed since publish {last[0]} (no new landed file; the same "
        "definitions, dbt project, code and settings): dbt, its checks and the publish are "
        "skipped, the published tables stay as they are. COMMON_FUNNEL_SKIP_UNCHANGED=0 "
        "rebuilds anyway."
    )

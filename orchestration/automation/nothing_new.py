"""Before `common-funnel materialize` starts a run: is there anything new to build?

The landing sensor starts no run when no new file landed (its skip reason is in the UI).
`materialize` asks the same question before it starts Dagster at all, so a scheduled
`materialize` with nothing new costs a second or two instead of a run's fixed cost (process,
definitions, ~350 planned events, ingestion's scan, the freshness check). Nothing is new
when all of these hold:

- every file ingestion would load is, by content (SHA-256), in the ingestion ledger
  (`ingest.file_loads` or `ingest.duplicate_files`), and no landed entry is unreadable;
- the definitions file is the one the warehouse holds (same SHA-256);
- the inputs fingerprint of the last publish (`transform/unchanged.py`: ledger,
  definitions, dbt project, code, settings) is what a build would read now, and that
  publish is still the current one in the engine's publish log (the DuckDB file, the
  PostgreSQL schema or the Spark lake's current version).

Anything else (connector-landed sources, no publish recorded yet, a publish log that
cannot be read, COMMON_FUNNEL_SKIP_UNCHANGED=0, `materialize --force`) starts the run as
before, whose dbt step makes the same decision inside Dagster. The skip is recorded on
each table of that publish as an observation (`skipped_materialize`), so the UI says why
nothing ran.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.contract import load_contract
from orchestration.ingest.decode import sha256_of
from orchestration.ingest.ingest_table import landed_files, unreadable_entries
from orchestration.settings import ENV_SKIP_UNCHANGED, Settings

SKIP_METADATA_KEY = "skipped_materialize"


@dataclass(frozen=True)
class _Loaded:
    """What the warehouse holds: every file content the ledger loaded or saw again, as
    (table, sha256), and the SHA-256 of the definitions file it was built from."""

    contents: set[tuple[str, str]]
    definitions_sha256: set[str]


def _loaded(warehouse: Path) -> _Loaded | None:
    """None when the warehouse cannot say (no ledger or definitions yet)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name, sha256 from ingest.file_loads"
            " union select table_name, sha256 from ingest.duplicate_files"
        ).fetchall()
        agreed = con.execute("select definitions_sha256 from definitions.agreement").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return _Loaded({(str(t), str(s)) for t, s in rows}, {str(a) for (a,) in agreed})


def _new_landed_file(settings: Settings, known: set[tuple[str, str]]) -> str | None:
    for table in load_contract():
        if settings.sources.mode(table.system) != "files":
            continue
        if unreadable_entries(table, settings.landing_dir):
            return f"an unreadable entry in {table.folder}"
        for path in landed_files(table, settings.landing_dir)[0]:
            if (table.qualified_name, sha256_of(path)) not in known:
                return str(path.relative_to(settings.landing_dir))
    return None


def nothing_new(settings: Settings) -> str | None:
    """Why a run now would build nothing, or None when it should run."""
    from orchestration.transform.unchanged import inputs_fingerprint, last_recorded

    warehouse = settings.warehouse_path
    if os.environ.get(ENV_SKIP_UNCHANGED, "1").strip() == "0" or not warehouse.exists():
        return None
    if settings.sources.uses_fivetran:
        return None
    last = last_recorded(warehouse)
    loaded = _loaded(warehouse)
    if last is None or loaded is None:
        return None
    try:
        definitions = hashlib.sha256(settings.definitions_path.read_bytes()).hexdigest()
    except OSError:
        return None  # the run reports the unreadable file, naming it
    if definitions not in loaded.definitions_sha256:
        return None
    if _new_landed_file(settings, loaded.contents) is not None:
        return None
    if inputs_fingerprint(warehouse, settings.engine) != last[1]:
        return None
    log = _publish_log(settings)
    if not log or log[-1][0] != last[0]:
        return None
    return (
        f"Nothing new since publish {last[0]}: every landed file is loaded already and the "
        "definitions, dbt project, code and settings are the same, so no run was started "
        "and the published tables stay as they are. `common-funnel materialize --force` "
        "(or COMMON_FUNNEL_SKIP_UNCHANGED=0) runs anyway."
    )


def _publish_log(settings: Settings) -> list[tuple[object, ...]]:
    """The engine's publish log, oldest first; empty when it cannot be read (a server that
    does not answer): the run then starts and reports it."""
    from orchestration.engines.select import engine_for

    engine = engine_for(settings.engine, settings.warehouse_path, settings.published)
    try:
        return list(engine.read_log())
    except Exception:  # any engine's error: run, and let the run say it
        return []


def record_skip(settings: Settings, reason: str) -> None:
    """An observation on each table of the current publish (its row counts name them), so
    the Dagster UI shows the skip."""
    from dagster import AssetKey, AssetObservation, DagsterInstance

    from orchestration.engines.base import LOG_COLUMNS
    from orchestration.publish.assets import PUBLISHED_SCHEMA
    from orchestration.publish.store import LOG_TABLE

    log = _publish_log(settings)
    row_counts = log[-1][LOG_COLUMNS.index("row_counts")] if log else "{}"
    tables = json.loads(row_counts) if isinstance(row_counts, str) else dict(row_counts)
    with DagsterInstance.get() as instance:
        for table in sorted(set(tables) - {LOG_TABLE}):
            instance.report_runless_asset_event(
                AssetObservation(
                    asset_key=AssetKey([PUBLISHED_SCHEMA, table]),
                    metadata={SKIP_METADATA_KEY: reason},
                )
            )

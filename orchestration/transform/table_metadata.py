"""What the UI shows of each model dbt built: row count, column schema, column lineage.

dagster-dbt's `fetch_row_counts()` / `fetch_column_metadata()` ask the warehouse once per
model and per parent through dbt's adapter (on DuckDB only after dbt exits, since dbt holds
the file) and re-derive every model's column lineage with sqlglot on every run: about
30 s of a 300-person run. Here the same metadata comes from two queries per run through
the engine's own session (one for every column of every relation involved, one
`union all` of row counts for the tables built), and lineage, which depends only on a
model's compiled SQL and the columns of it and its parents, is computed once and then read
from a cache beside the manifest (`target/column_lineage.json`) until one of those changes.
It works the same on every engine, Spark included.

Events pass through in dbt's order; they are held until dbt has finished (DuckDB's single
writer forces that wait anyway) and a failure is raised after the finished models' events.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetKey,
    AssetMaterialization,
    Output,
    TableColumn,
    TableColumnDep,
    TableColumnLineage,
    TableSchema,
)

from orchestration.engines.base import Engine, Relation

logger = logging.getLogger(__name__)

LINEAGE_CACHE = "column_lineage.json"
LINEAGE_KEY = "dagster/column_lineage"
# bump when the cached form or the way lineage is derived changes
CACHE_VERSION = "1"
COUNTED_MATERIALIZATIONS = {"table", "incremental", "seed", "snapshot"}

Columns = dict[str, dict[str, str]]


def _relation(node: Mapping[str, Any]) -> Relation:
    name = node["identifier"] if node["resource_type"] == "source" else node["alias"]
    return (str(node["schema"]), str(name))


def _node_of(event: Any, manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if not isinstance(event, (Output, AssetMaterialization)):
        return None
    unique_id = event.metadata.get("unique_id")
    text = getattr(unique_id, "text", None)
    return manifest["nodes"].get(text) if text else None


def _parents(node: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = []
    for unique_id in node.get("depends_on", {}).get("nodes", []):
        parent = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id)
        if parent is not None and parent.get("relation_name"):
            found.append(parent)
    return found


NOTHING_REPORTED = (
    "dbt finished but reported no model: its output could not be read (see the step's log). "
    "Nothing was materialized, so nothing downstream is checked or published."
)


def reported_models(events: Iterable[Any]) -> int:
    """How many models dbt reported as built (a run that reports none cannot be trusted:
    Dagster would skip the checks and the publish and call the run a success)."""
    return sum(1 for e in events if isinstance(e, (Output, AssetMaterialization)))


def drain(events: Iterable[Any]) -> tuple[list[Any], BaseException | None]:
    """Every event up to the end of dbt, and the error that ended it, if any."""
    collected: list[Any] = []
    try:
        for event in events:
            collected.append(event)
    except Exception as error:  # re-raised by the caller after the finished models
        return collected, error
    return collected, None


class LineageCache:
    """Column lineage by a fingerprint of what it depends on, in one JSON file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, list[list[Any]]]] = {}
        self.dirty = False
        if path is not None and path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if loaded.get("version") == CACHE_VERSION:
                    self.entries = loaded.get("entries", {})
            except (OSError, ValueError):
                self.entries = {}

    def get(self, key: str) -> TableColumnLineage | None:
        stored = self.entries.get(key)
        if stored is None:
            return None
        return TableColumnLineage(
            deps_by_column={
                column: [TableColumnDep(asset_key=AssetKey(k), column_name=c) for k, c in deps]
                for column, deps in stored.items()
            }
        )

    def put(self, key: str, lineage: TableColumnLineage) -> None:
        self.entries[key] = {
            column: sorted([list(d.asset_key.path), d.column_name] for d in deps)
            for column, deps in lineage.deps_by_column.items()
        }
        self.dirty = True

    def save(self, keep: set[str]) -> None:
        if self.path is None or not self.dirty:
            return
        # keep this run's entries and, for partial runs, the others (bounded)
        others = [k for k in self.entries if k not in keep][: max(0, 2000 - len(keep))]
        entries = {k: self.entries[k] for k in [*keep, *others] if k in self.entries}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            temporary.write_text(
                json.dumps({"version": CACHE_VERSION, "entries": entries}), encoding="utf-8"
            )
            os.replace(temporary, self.path)
        except OSError as error:
            logger.warning("column lineage cache not written (%s): %s", self.path, error)


def _fingerprint(compiled_sql: str, own: Columns, parents: Mapping[str, Columns]) -> str:
    digest = hashlib.sha256()
    digest.update(CACHE_VERSION.encode())
    digest.update(compiled_sql.encode("utf-8"))
    digest.update(json.dumps([own, parents], sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def _lineage(
    node: Mapping[str, Any],
    own: Columns,
    parents: dict[str, Columns],
    invocation: Any,
    cache: LineageCache,
    used: set[str],
) -> dict[str, Any]:
    from dagster_dbt.core.dbt_cli_event import (
        EventHistoryMetadata,
        _build_column_lineage_metadata,
    )

    compiled = Path(invocation.target_path, "compiled", node["package_name"])
    compiled = compiled / node["original_file_path"]
    try:
        sql = compiled.read_text(encoding="utf-8")
    except OSError:
        return {}
    key = _fingerprint(sql, own, parents)
    used.add(key)
    cached = cache.get(key)
    if cached is not None:
        return {LINEAGE_KEY: cached}
    try:
        built = _build_column_lineage_metadata(
            event_history_metadata=EventHistoryMetadata(columns=own, parents=parents),
            dbt_resource_props=dict(node),
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            target_path=Path(invocation.target_path),
            project=invocation.project,
        )
    except Exception as error:  # lineage is a view aid; never fail a build for it
        logger.warning("no column lineage for %s: %s", node["unique_id"], error)
        return {}
    lineage = built.get(LINEAGE_KEY)
    if lineage is not None:
        cache.put(key, lineage.value if hasattr(lineage, "value") else lineage)
    return built


def with_table_metadata(
    events: list[Any], invocation: Any, engine: Engine, cache_dir: Path | None, lineage: bool
) -> Iterator[Any]:
    """The events, each model's with row count, column schema and (optionally) lineage."""
    manifest = invocation.manifest
    built = {id(e): node for e in events if (node := _node_of(e, manifest)) is not None}
    if not built:
        yield from events
        return
    relations: set[Relation] = set()
    counted: set[Relation] = set()
    for node in built.values():
        relations.add(_relation(node))
        if node["config"].get("materialized") in COUNTED_MATERIALIZATIONS:
            counted.add(_relation(node))
        if lineage:
            relations.update(_relation(p) for p in _parents(node, manifest))
    with engine.session() as session:
        columns = engine.columns(session, relations)
        counts = engine.row_counts(session, sorted(counted))
    storage = manifest.get("metadata", {}).get("adapter_type")
    cache = LineageCache(cache_dir / LINEAGE_CACHE if cache_dir and lineage else None)
    used: set[str] = set()
    for event in events:
        node = built.get(id(event))
        if node is None:
            yield event
            continue
        relation = _relation(node)
        own = {name: {"data_type": kind} for name, kind in columns.get(relation, [])}
        metadata: dict[str, Any] = {}
        if own:
            schema = TableSchema(columns=[TableColumn(n, c["data_type"]) for n, c in own.items()])
            metadata["dagster/column_schema"] = schema
        if relation in counts:
            metadata["dagster/row_count"] = counts[relation]
            if storage:
                metadata["dagster/storage_kind"] = storage
        if lineage and own:
            parents = {
                parent["relation_name"]: {
                    name: {"data_type": kind} for name, kind in columns.get(_relation(parent), [])
                }
                for parent in _parents(node, manifest)
            }
            metadata.update(_lineage(node, own, parents, invocation, cache, used))
        yield event.with_metadata({**event.metadata, **metadata}) if metadata else event
    cache.save(used)

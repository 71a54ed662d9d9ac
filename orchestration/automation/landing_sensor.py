"""Start a run when new files land.

The sensor lists the files ingestion would load (each contract table's folder and file
pattern: a stray file starts nothing), hashes each one it has not seen at that size and
modification time (the loader's sha256), and asks for one run for the new files.
The run key is made of their sha256s, so the same file never triggers twice, also when
it lands again under another name; the cursor keeps what was seen, so an evaluation hashes
only new or changed files. The run is the full materialization: ingestion, then the dbt
models, the quality gate and the publish follow in the same run (by job design).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from orchestration.automation.tags import run_tags
from orchestration.ingest.contract import load_contract
from orchestration.ingest.decode import sha256_of
from orchestration.ingest.ingest_table import landed_files as table_files
from orchestration.resources import LandingResource, SourcesResource
from orchestration.settings import SourceModes


def landed_files(root: Path, modes: SourceModes | None = None) -> Iterator[Path]:
    """Every file some contract table would load, as ingestion finds them (a system in
    `fivetran` mode loads no files: its exports, if any land, start nothing)."""
    modes = modes or SourceModes()
    for table in load_contract():
        if modes.mode(table.system) == "files":
            yield from table_files(table, root)[0]


def scan(
    root: Path, cursor: str | None, modes: SourceModes | None = None
) -> tuple[list[tuple[str, str]], str]:
    """(new files as (relative path, sha256), the next cursor). A file is new when its
    content (sha256) was never seen before."""
    state = json.loads(cursor) if cursor else {"files": {}, "hashes": []}
    files: dict[str, list] = state["files"]
    seen = set(state["hashes"])
    new: list[tuple[str, str]] = []
    for path in landed_files(root, modes):
        relative = str(path.relative_to(root))
        stat = path.stat()
        known = files.get(relative)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            continue
        digest = sha256_of(path)
        files[relative] = [stat.st_size, stat.st_mtime_ns, digest]
        if digest not in seen:
            seen.add(digest)
            new.append((relative, digest))
    return new, json.dumps({"files": files, "hashes": sorted(seen)}, sort_keys=True)


def build_landing_sensor(job_name: str) -> SensorDefinition:
    @sensor(
        name="landing_files",
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.STOPPED,
        description="Starts a full materialization when new files land (once per file).",
    )
    def landing_files(
        context: SensorEvaluationContext, landing: LandingResource, sources: SourcesResource
    ) -> RunRequest | SkipReason:
        new, cursor = scan(landing.resolved_root(), context.cursor, sources.modes())
        context.update_cursor(cursor)
        if not new:
            return SkipReason("no new files in the landing folder")
        key = hashlib.sha256("".join(sorted(d for _, d in new)).encode()).hexdigest()
        names = ", ".join(name for name, _ in new[:5]) + (" ..." if len(new) > 5 else "")
        return RunRequest(
            run_key=f"landing-{key}",
            tags=run_tags("sensor", f"{len(new)} new file(s): {names}"),
        )

    return landing_files

"""dbt's partial parsing, kept per profile so a run skips parsing the whole project.

dbt reuses `partial_parse.msgpack` only when the profile's connection settings are those it
was written with, and they include the warehouse path. dagster-dbt copies the one file
in `target/` (written by `common-funnel prepare`) into each run's own target folder, so
every run against another warehouse (another data folder, each test, the benchmark, an
engine) parsed the project from scratch: about 4 s of a 10 s dbt invocation.

Here each successful dbt step leaves its `partial_parse.msgpack` in
`target/partial_parse/<key>.msgpack`, the key a hash of the settings dbt's profile and
sources read; the next step with the same settings starts from it (dagster-dbt then
leaves it in place). dbt still checks every file's hash and the profile itself, so a stale
or foreign file costs a full parse, never a wrong manifest. The newest few are kept.

Each dbt step writes into its own target folder (`run_target_path`), removed when dbt
succeeded and kept when it failed (its `dbt.log` and compiled SQL say why). Kept folders
hold several megabytes each: `prune_run_targets` keeps the newest few, and never touches a
folder younger than an hour (a run in progress in another process).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

CACHE_DIR = "partial_parse"
FILE_NAME = "partial_parse.msgpack"
KEEP = 8
RUN_TARGET_PREFIX = "funnel_dbt_models-"
KEEP_RUN_TARGETS = 10
RUN_TARGET_MIN_AGE_SECONDS = 3600


def cache_key(settings: Mapping[str, str]) -> str:
    """The settings dbt's profile and sources read, as one hash."""
    text = "\n".join(f"{name}={settings[name]}" for name in sorted(settings))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def run_target_path(target_dir: Path, run_id: str) -> Path:
    """A fresh target folder for one dbt invocation (as dagster-dbt would make one)."""
    return target_dir / f"{RUN_TARGET_PREFIX}{run_id[:7]}-{uuid.uuid4().hex[:7]}"


def prune_run_targets(target_dir: Path, now: float | None = None) -> list[Path]:
    """Remove the run target folders left by failed dbt steps, all but the newest
    KEEP_RUN_TARGETS and those younger than an hour; the removed folders."""
    now = time.time() if now is None else now
    folders = sorted(
        (p for p in target_dir.glob(f"{RUN_TARGET_PREFIX}*") if p.is_dir()),
        key=_modified,
        reverse=True,
    )
    removed = []
    for folder in folders[KEEP_RUN_TARGETS:]:
        if now - _modified(folder) >= RUN_TARGET_MIN_AGE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def seed(target_dir: Path, key: str, run_target: Path) -> bool:
    """Put the cached file for `key` into the run's target folder; False if none."""
    cached = target_dir / CACHE_DIR / f"{key}.msgpack"
    if not cached.is_file():
        return False
    run_target.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(cached, run_target / FILE_NAME)
    except OSError:
        return False
    return True


def keep(target_dir: Path, key: str, run_target: Path) -> None:
    """Cache the run's file under `key` (atomically: parallel runs never see half a file)
    and drop all but the newest few."""
    written = run_target / FILE_NAME
    if not written.is_file():
        return
    cache = target_dir / CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache, suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(written, temporary)
        os.replace(temporary, cache / f"{key}.msgpack")
    finally:
        Path(temporary).unlink(missing_ok=True)
    cached = sorted(cache.glob("*.msgpack"), key=_modified, reverse=True)
    for old in cached[KEEP:]:
        old.unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0

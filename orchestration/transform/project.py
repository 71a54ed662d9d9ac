"""The one dbt project, and how its manifest is prepared ahead of definitions load.

Loading definitions reads `target/manifest.json`; it never parses the project (that costs
5-10 s per load). `common-funnel prepare` always parses; `materialize`, the demo, the
tests and `dagster dev` on start (`prepare_if_dev`) parse only when the project changed:
`target/manifest.fingerprint` holds a hash of every project file, of the values of the
environment variables the project reads, and of dbt's version, as of the last parse.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.settings import ENV_WAREHOUSE, PROJECT_ROOT, TELEMETRY_OFF, load_settings

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
FINGERPRINT = "manifest.fingerprint"
# folders dbt writes, not part of the project
NOT_SOURCES = {"target", "logs", "dbt_packages", "spark-warehouse"}
ENV_VAR_CALL = re.compile(r"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]")

if TYPE_CHECKING:
    from dagster_dbt import DbtProject


# dagster_dbt is imported where it is used: the manifest check of `materialize` (and its
# nothing-new check) need none of its 2 s of imports
def dbt_project() -> DbtProject:
    from dagster_dbt import DbtProject

    directory = DBT_PROJECT_DIR
    # no target here: the profile picks `local` or `fivetran` from the source settings
    return DbtProject(project_dir=directory, profiles_dir=directory)


def prepare_if_dev(project: DbtProject) -> None:
    """Under `dagster dev`, re-parse on start when the project changed (dagster-dbt's own
    `prepare_if_dev` parses on every start)."""
    from dagster_dbt.dbt_project import using_dagster_dev

    if using_dagster_dev():
        prepare_manifest(Path(project.project_dir), only_if_changed=True)


def project_fingerprint(directory: Path, env: Mapping[str, str]) -> str:
    """What a parse depends on: every project file (path and bytes), the values of the
    environment variables the project reads (of the warehouse path, its stem), dbt's
    version."""
    # the installed package's version: importing dbt itself costs a second
    digest = hashlib.sha256(f"dbt {installed_version('dbt-core')}\n".encode())
    names: set[str] = set()
    for path in _project_files(directory):
        relative = path.relative_to(directory)
        content = path.read_bytes()
        digest.update(f"{relative.as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
        if path.suffix in (".sql", ".yml", ".yaml", ".md"):
            names.update(ENV_VAR_CALL.findall(content.decode("utf-8", errors="replace")))
    for name in sorted(names):
        value = env.get(name)
        if name == ENV_WAREHOUSE and value:
            # only the file's stem reaches the manifest (DuckDB's catalog name); a run in
            # another data folder needs no new parse
            value = Path(value).stem
        digest.update(f"{name}={value!r}\n".encode())
    return digest.hexdigest()


def _project_files(directory: Path) -> list[Path]:
    """Every file of the project, sorted; dbt's own output folders are not walked (each
    run's target folder holds thousands of files)."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(directory):
        if Path(folder) == directory:
            subfolders[:] = [name for name in subfolders if name not in NOT_SOURCES]
        found.extend(Path(folder, name) for name in files)
    return sorted(found)


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def prepare_manifest(project_dir: Path | None = None, only_if_changed: bool = False) -> Path:
    """Run `dbt parse` so the manifest exists; return its path. Fails loudly. With
    `only_if_changed`, a manifest parsed from the same project and settings is kept."""
    directory = project_dir or DBT_PROJECT_DIR
    env = {**os.environ, **TELEMETRY_OFF}
    env.setdefault(ENV_WAREHOUSE, str(load_settings().warehouse_path))
    manifest = directory / "target" / "manifest.json"
    stamp = directory / "target" / FINGERPRINT
    fingerprint = project_fingerprint(directory, env)
    if only_if_changed and manifest.exists() and _stamped(stamp) == fingerprint:
        return manifest
    stamp.unlink(missing_ok=True)
    completed = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(directory),
            "--profiles-dir",
            str(directory),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0 or not manifest.exists():
        raise RuntimeError(
            f"dbt parse failed in {directory}:\n{completed.stdout}{completed.stderr}"
        )
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return manifest


def _stamped(stamp: Path) -> str | None:
    try:
        return stamp.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def published_models(manifest_path: Path) -> dict[str, Mapping[str, Any]]:
    """dbt models marked `meta.publish`, by name. The publish assets and the
    finite-numbers check both ask at definitions load: the manifest is parsed once per
    version of the file."""
    return dict(_published_models(manifest_path, manifest_path.stat().st_mtime_ns))


@functools.cache
def _published_models(manifest_path: Path, _mtime_ns: int) -> dict[str, Mapping[str, Any]]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish")
    }

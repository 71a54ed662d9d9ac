"""The one dbt project, and how its manifest is prepared ahead of definitions load.

Loading definitions reads `target/manifest.json`; it never parses the project (that costs
5-10 s per load, STACK.md trap 3). `common-funnel prepare`, the demo, the tests and CI
prepare it once; `dagster dev` re-prepares it on start (`prepare_if_dev`).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from orchestration.settings import ENV_WAREHOUSE, PROJECT_ROOT, TELEMETRY_OFF, load_settings

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def dbt_project() -> DbtProject:
    directory = DBT_PROJECT_DIR
    # no target here: the profile picks `local` or `fivetran` from the source settings
    return DbtProject(project_dir=directory, profiles_dir=directory)


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def prepare_manifest(project_dir: Path | None = None) -> Path:
    """Run `dbt parse` so the manifest exists; return its path. Fails loudly."""
    directory = project_dir or DBT_PROJECT_DIR
    env = {**os.environ, **TELEMETRY_OFF}
    env.setdefault(ENV_WAREHOUSE, str(load_settings().warehouse_path))
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
    manifest = directory / "target" / "manifest.json"
    if completed.returncode != 0 or not manifest.exists():
        raise RuntimeError(
            f"dbt parse failed in {directory}:\n{completed.stdout}{completed.stderr}"
        )
    return manifest


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

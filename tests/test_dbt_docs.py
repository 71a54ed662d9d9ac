"""The dbt project documents every model and column, offline, in step with the definitions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from orchestration.common_language.load import load_definitions
from orchestration.settings import ENV_WAREHOUSE, PROJECT_ROOT, TELEMETRY_OFF
from orchestration.transform.project import dbt_executable
from tests.builds import Built

DBT_DIR = PROJECT_ROOT / "dbt_project"


def _docs_generate(built: Built, tmp_path: Path) -> tuple[dict, dict]:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    completed = subprocess.run(
        [
            dbt_executable(),
            "docs",
            "generate",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        env={**os.environ, **TELEMETRY_OFF, ENV_WAREHOUSE: str(built.warehouse)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    target = project / "target"
    assert (target / "index.html").exists()
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    return manifest, catalog


def test_every_model_and_column_is_documented(built_small: Built, tmp_path: Path):
    manifest, catalog = _docs_generate(built_small, tmp_path)
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    assert len(models) > 40
    undocumented, unlisted, phantom = [], [], []
    for unique_id, node in models.items():
        if not node["description"].strip():
            undocumented.append(node["name"])
        documented = {name for name, c in node["columns"].items() if c["description"].strip()}
        actual = {name.lower() for name in catalog["nodes"][unique_id]["columns"]}
        unlisted += [f"{node['name']}.{c}" for c in sorted(actual - documented)]
        phantom += [f"{node['name']}.{c}" for c in sorted(set(node["columns"]) - actual)]
    assert undocumented == []
    assert unlisted == [], "columns without a description"
    assert phantom == [], "documented columns the model does not have"


def test_stage_doc_block_agrees_with_the_definitions_file():
    text = (DBT_DIR / "models" / "_stage_definitions.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \| (\w+) \|", text, flags=re.M)
    stages = load_definitions().definitions.stages
    assert [(code, en.strip(), ja.strip(), owner) for code, en, ja, owner in rows] == [
        (s.code, s.label_en, s.label_ja, s.owner.removeprefix("team:")) for s in stages
    ]

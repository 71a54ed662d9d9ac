"""`materialize`, the demo, the tests and `dagster dev` parse the dbt project only when it
changed: the fingerprint follows every project file and the settings the project reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.transform.project import (
    DBT_PROJECT_DIR,
    FINGERPRINT,
    NOT_SOURCES,
    prepare_manifest,
    project_fingerprint,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    return copy


def test_the_fingerprint_follows_files_and_the_settings_the_project_reads(project: Path):
    env = {"COMMON_FUNNEL_ENGINE": "duckdb", "UNRELATED_SETTING": "a"}
    before = project_fingerprint(project, env)
    assert project_fingerprint(project, env) == before
    assert project_fingerprint(project, {**env, "UNRELATED_SETTING": "b"}) == before
    assert project_fingerprint(project, {**env, "COMMON_FUNNEL_ENGINE": "postgres"}) != before
    # the warehouse file's folder does not reach the manifest, its name (the catalog) does
    here = {**env, "COMMON_FUNNEL_WAREHOUSE": "/data/a/warehouse.duckdb"}
    there = {**env, "COMMON_FUNNEL_WAREHOUSE": "/data/b/warehouse.duckdb"}
    other = {**env, "COMMON_FUNNEL_WAREHOUSE": "/data/a/funnel.duckdb"}
    assert project_fingerprint(project, here) == project_fingerprint(project, there)
    assert project_fingerprint(project, here) != project_fingerprint(project, other)
    model = next(project.glob("models/marts/**/*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert project_fingerprint(project, env) != before
    # what dbt writes is not the project
    (project / "target").mkdir()
    (project / "target" / "run_results.json").write_text("{}", encoding="utf-8")
    assert project_fingerprint(project, env) == project_fingerprint(project, env)


def test_an_unchanged_project_is_not_parsed_again_and_a_changed_one_is(project: Path):
    prepare_manifest(project, only_if_changed=True)
    manifest = project / "target" / "manifest.json"
    parsed = manifest.stat().st_mtime_ns
    assert (project / "target" / FINGERPRINT).exists()

    prepare_manifest(project, only_if_changed=True)
    assert manifest.stat().st_mtime_ns == parsed  # kept as it was

    model = next(project.glob("models/marts/**/*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    prepare_manifest(project, only_if_changed=True)
    assert manifest.stat().st_mtime_ns != parsed  # parsed again

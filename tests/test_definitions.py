"""The code location loads, every raw table has its asset, and the dbt project parses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster import AssetKey

from orchestration.definitions import FULL_JOB_NAME, defs
from orchestration.ingest.contract import (
    CONTRACT_PATH,
    ContractError,
    load_contract,
    parse_contract,
)
from orchestration.ingest.contract_doc import CONTRACT_DOC_PATH, render_contract_doc
from orchestration.settings import PROJECT_ROOT, load_settings


def test_every_contract_table_is_an_owned_grouped_asset() -> None:
    specs = {
        spec.key.path[0] + "." + spec.key.path[1]: spec for spec in defs.resolve_all_asset_specs()
    }
    for table in load_contract():
        spec = specs[table.qualified_name]
        assert spec.owners == [table.owner]
        assert spec.group_name == table.group
        assert {"duckdb", "csv"} <= set(spec.kinds)
    owners = {table.system: table.owner for table in load_contract()}
    assert owners == {
        "salesforce": "team:sales",
        "hubspot": "team:marketing",
        "events": "team:marketing",
        "target_lists": "team:marketing",
    }


def test_full_job_selects_everything() -> None:
    job = defs.resolve_job_def(FULL_JOB_NAME)
    every_key = {spec.key for spec in defs.resolve_all_asset_specs()}
    assert set(job.asset_layer.executable_asset_keys) == every_key
    assert len(every_key) > len(load_contract())


def test_definitions_load_from_the_workspace_file() -> None:
    env = {**os.environ, "DAGSTER_HOME": str(PROJECT_ROOT / "dagster_home")}
    dagster = Path(sys.executable).with_name("dagster")
    completed = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_dbt_project_parses(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(
        PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs")
    )
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(dbt), "parse", "--project-dir", str(project), "--profiles-dir", str(project)],
        env={**os.environ, "COMMON_FUNNEL_WAREHOUSE": str(tmp_path / "w.duckdb")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (project / "target" / "manifest.json").exists()


def test_settings_follow_the_environment(tmp_path: Path) -> None:
    settings = load_settings({"COMMON_FUNNEL_DATA_DIR": str(tmp_path)})
    assert settings.warehouse_path == tmp_path / "warehouse.duckdb"
    assert settings.landing_dir == tmp_path / "landing"
    assert load_settings({}).warehouse_path == PROJECT_ROOT / "data" / "warehouse.duckdb"


def test_contract_doc_is_in_sync() -> None:
    assert CONTRACT_DOC_PATH.read_text(encoding="utf-8") == render_contract_doc(), (
        "run `common-funnel contract-doc`"
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["systems"]["salesforce"]["tables"]["user"]["columns"][0].pop("header"),
            "systems.salesforce.tables.user.columns[0]: missing key 'header'",
        ),
        (
            lambda d: d["systems"]["hubspot"]["tables"]["form"]["columns"][0].update(type="money"),
            "systems.hubspot.tables.form.columns[0].type",
        ),
        (lambda d: d["systems"]["events"].update(encoding="klingon"), "unknown encoding 'klingon'"),
    ],
)
def test_invalid_contract_names_the_key(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    mutate(document)
    with pytest.raises(ContractError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_contract(document)


def test_dbt_lineage_joins_the_ingested_and_agreed_assets() -> None:
    """dbt sources are the very assets ingestion and the definitions materialize, so the
    graph runs unbroken from landed file to mart; groups follow folders; tests are checks."""
    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    dbt_specs = [s for s in specs.values() if "dbt" in s.kinds]
    assert {s.group_name for s in dbt_specs} == {
        "staging",
        "identity",
        "labels",
        "lifecycle",
        "metrics",
        "restricted",
    }
    assert all(s.owners == ["team:data"] for s in dbt_specs)
    staging_deps = {dep.asset_key for s in dbt_specs if s.group_name == "staging" for dep in s.deps}
    ingested = {AssetKey([t.schema, t.name]) for t in load_contract()}
    assert ingested <= staging_deps
    assert all(key in specs for key in staging_deps), "every dbt source is a real asset"
    lifecycle = specs[AssetKey(["marts", "fct_stage_transitions"])]
    assert lifecycle.group_name == "lifecycle"
    repository = defs.get_repository_def()
    checked = {key.asset_key for key in repository.asset_graph.asset_check_keys}
    assert lifecycle.key in checked

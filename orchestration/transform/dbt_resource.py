"""The dbt CLI resource, without two costs dagster-dbt pays on every run.

`DbtCliResource` runs `dbt --version` in a subprocess (about 2 s) and builds a dbt adapter
in the Dagster process (about 2 s) each run. The version is that of the dbt-core package
installed beside the pipeline, whose `dbt` executable it runs (`dbt_executable`); the
adapter only served dagster-dbt's per-model row counts and column metadata, which the dbt
step takes from the engine instead (`table_metadata.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.transform.project import dbt_executable, dbt_project


class FunnelDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_resource() -> FunnelDbtCliResource:
    return FunnelDbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())

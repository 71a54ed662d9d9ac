"""One translator: how every dbt node becomes a Dagster asset, by rule, not by case.

- keys follow `[schema, name]`, as the warehouse names them, so a dbt source is the very
  asset that ingestion (`[raw_<system>, table]`) or the definitions (`[definitions, t]`)
  materialize, and lineage runs unbroken from landed file to mart;
- groups follow folders: everything in `staging/` is `staging` (in `restricted/`,
  `restricted`); below `intermediate/` and
  `marts/` the area folder (`identity`, `lifecycle`) is the group;
- owners come from `meta.dagster.owners` (set once in dbt_project.yml); kinds are dbt and
  duckdb.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

LAYERS_GROUPED_AS_ONE = {"staging", "restricted"}


class FunnelTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_code_references=True
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "source" or len(fqn) < 3:
            return super().get_group_name(dbt_resource_props)
        layer, area = fqn[1], fqn[2]
        return layer if layer in LAYERS_GROUPED_AS_ONE else area

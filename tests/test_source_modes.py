"""The source settings: files or fivetran per system, checked, and what each mode builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey

from orchestration.ingest.assets import build_ingest_assets
from orchestration.quality.checks import FRESHNESS, build_quality_checks
from orchestration.settings import SettingsError, SourceModes, load_source_modes


def test_the_default_is_files_for_every_system():
    modes = load_source_modes({})
    assert (modes.salesforce, modes.hubspot, modes.uses_fivetran) == ("files", "files", False)
    assert modes.env()["COMMON_FUNNEL_SALESFORCE_SCHEMA"] == "salesforce"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"COMMON_FUNNEL_HUBSPOT_SOURCE": "airbyte"}, "COMMON_FUNNEL_HUBSPOT_SOURCE='airbyte'"),
        ({"COMMON_FUNNEL_SALESFORCE_SOURCE": "fivetran"}, "COMMON_FUNNEL_FIVETRAN_DATABASE"),
    ],
)
def test_a_wrong_setting_fails_naming_the_variable(env: dict[str, str], named: str):
    with pytest.raises(SettingsError, match=named):
        load_source_modes(env)


def test_fivetran_mode_observes_the_same_assets_it_would_ingest(tmp_path: Path):
    files = build_ingest_assets()
    fivetran = build_ingest_assets(
        modes=SourceModes(hubspot="fivetran", fivetran_database=tmp_path / "f.duckdb")
    )
    keys = lambda assets: {k for a in assets for k in a.keys}  # noqa: E731
    # the dbt sources find the same assets, and the table only Fivetran lands
    assert keys(fivetran) == keys(files) | {AssetKey(["raw_hubspot", "email_event_click"])}
    observed = [a for a in fivetran if a.is_observable]
    assert len(observed) == 1
    assert all(k.path[0] == "raw_hubspot" for k in observed[0].keys)
    assert len(observed[0].keys) == 6
    checked = {k.asset_key for k in observed[0].check_keys}
    assert AssetKey(["raw_hubspot", "contact"]) in checked  # fivetran_synced_recently


def test_the_ge_freshness_of_observed_tables_is_left_to_the_observation(tmp_path: Path):
    modes = SourceModes(salesforce="fivetran", fivetran_database=tmp_path / "f.duckdb")
    freshness = next(c for c in build_quality_checks(modes=modes) if c.node_def.name == FRESHNESS)
    schemas = {k.asset_key.path[0] for k in freshness.check_keys}
    assert "raw_salesforce" not in schemas
    assert {"raw_hubspot", "raw_events", "raw_target_lists"} <= schemas

"""Values nobody planned for: a lead status or an opportunity stage the definitions do not
name warns through `unknown_crm_values`, with the records that hold it; named values stay
silent, and the run still publishes (the check only warns). The values and their counts,
by hand: tests/hand_made_crm_values.py.
"""

from __future__ import annotations

from pathlib import Path

from tests.builds import build_everything
from tests.hand_made_crm_values import crm_value_differences, land_unplanned_values
from tests.hand_made_landing import land_everything


def test_unknown_crm_values_warn_with_their_records_and_the_run_publishes(tmp_path: Path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    land_everything(landing)
    land_unplanned_values(landing)
    result = build_everything(landing, warehouse)
    assert result.success  # a warning, not a stop
    assert result.asset_materializations_for_node("publish_marts")
    assert crm_value_differences(result) == []

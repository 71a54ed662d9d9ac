"""The hand-made funnel (tests/hand_made_funnel.py) under a proposed rule: what a recycled
lead needs to become an MQL again is written in the definitions file
(`mql_rule.resets_after_cycle_end`), so both teams can change it and see the effect. The
agreed value (true) is checked on every engine with the reference builds
(test_engine_postgres.py, test_engine_spark.py); this builds the company alone with false.

By hand: Ben's first cycle is his demo request (2023-07-06 02:00 UTC), recycled on 07-08.
Counting every touch of the 90-day window, his webinar (08-09 15:00 UTC) sums 100 (the
demo request) + 25 + 10 (manager) = 135: his second MQL comes there, not at his document
request of 08-17 (65 points, counting only the touches after the recycle).
"""

from datetime import datetime
from pathlib import Path

import yaml

from orchestration.common_language.load import DEFAULT_PATH
from tests.builds import build_everything, published_path
from tests.hand_made_funnel import BEN, land_funnel
from tests.read_duckdb import fetch_all


def test_without_the_reset_a_recycled_lead_counts_its_earlier_touches(tmp_path: Path):
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert document["mql_rule"]["resets_after_cycle_end"] is True  # the agreed rule
    document["mql_rule"]["resets_after_cycle_end"] = False
    proposed = tmp_path / "proposed.yml"
    proposed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    land_funnel(tmp_path / "landing")

    result = build_everything(tmp_path / "landing", tmp_path / "warehouse.duckdb", proposed)

    assert result.success
    cycles = fetch_all(
        published_path(tmp_path / "warehouse.duckdb"),
        "select cycle_number, mql_at, mql_trigger, mql_points from fct_lead_lifecycle"
        f" where person_id = '{BEN}' order by cycle_number",
    )
    assert cycles == [
        (1, datetime(2023, 7, 6, 2, 0), "demo_request", 110),
        (2, datetime(2023, 8, 9, 15, 0), "webinar_attendance", 135),
    ]

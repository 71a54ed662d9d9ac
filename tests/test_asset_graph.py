"""A snapshot of the asset graph, so lineage changes show up in review.

The snapshot (tests/snapshots/asset_graph.json) lists every asset with its group, owners,
kinds and upstream assets, every check, and the schedules and sensors. When a change to
the graph is intended, regenerate it and commit it with the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_asset_graph.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def _graph() -> dict[str, Any]:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if not node.is_materializable:
            continue
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "owners": sorted(node.owners),
            "kinds": sorted(node.kinds),
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(c.name for c in node.check_keys),
        }
    return {
        "assets": assets,
        "schedules": sorted(
            f"{s.name}: {s.cron_schedule} {s.execution_timezone} -> {s.job_name}"
            for s in defs.schedules or []
        ),
        "sensors": sorted(f"{s.name} -> {s.job_name}" for s in defs.sensors or []),
    }


def test_the_asset_graph_matches_its_snapshot():
    current = _graph()
    text = json.dumps(current, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1"
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == current, (
        "the asset graph changed; if intended, regenerate the snapshot (see the docstring)"
    )


def test_the_graph_reads_as_the_funnel():
    assets = _graph()["assets"]
    groups = {a["group"] for a in assets.values()}
    assert {"sales_sources", "marketing_sources", "staging", "identity", "lifecycle",
            "metrics", "published"} <= groups  # fmt: skip
    owners = {o for a in assets.values() for o in a["owners"]}
    assert {"team:sales", "team:marketing", "team:data"} <= owners
    waterfall = assets["published/metric_funnel_waterfall"]
    assert waterfall["deps"] == ["marts/metric_funnel_waterfall"]
    assert "mql_rule_holds" in assets["marts/fct_lead_lifecycle"]["checks"]

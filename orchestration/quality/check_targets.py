"""Every check's target materialization, fetched in one query per step.

Dagster links each asset check result to the latest materialization of the asset it
checks. It looks that materialization up when the result is yielded, one event-log query
per asset (`get_asset_records([key])`), and a run of this project yields checks on about
110 assets from three steps: ~0.7 s of a 100k-person run. `prefetch_check_targets` asks
for all the step's targets in one `get_asset_records` and puts the answers where Dagster
would have put its own (the step's data-version cache), so the results find them there.

Call it once the step has yielded the materializations its checks target (the dbt step
yields every model before any test result); the targets materialized by earlier steps are
already stored. Only this module touches those Dagster internals: if they change, the
prefetch does nothing and every result fetches its own target, as Dagster does by itself
(tests/test_quality_gate.py fails then, so the change is noticed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dagster import AssetKey


def _version_cache(context: Any) -> Any | None:
    step = context.get_step_execution_context()
    return getattr(step, "_data_version_cache", None)


def prefetch_check_targets(context: Any, targets: Iterable[AssetKey | None]) -> int:
    """Fetch the latest materialization of every target not fetched yet, in one query;
    how many were fetched (0 when Dagster's internals are not as expected)."""
    cache = _version_cache(context)
    fetch = getattr(cache, "_fetch_input_asset_version_info", None)
    known = getattr(cache, "input_asset_version_info", None)
    if fetch is None or not isinstance(known, dict):
        return 0
    missing = sorted({key for key in targets if key is not None and key not in known})
    if missing:
        fetch(missing)
    return len(missing)

"""What `common-funnel materialize` left in Dagster when it found nothing new: the runs it
started (none) and the skip reasons observed on a published table
(orchestration/automation/nothing_new.py). Reads the instance of the current
DAGSTER_HOME."""

from __future__ import annotations

from dagster import AssetKey, DagsterEventType, DagsterInstance, EventRecordsFilter

from orchestration.automation.nothing_new import SKIP_METADATA_KEY


def runs_and_skip_reasons(table: str = "dim_persons") -> tuple[int, list[str]]:
    with DagsterInstance.get() as instance:
        runs = len(instance.get_runs())
        observed = instance.get_event_records(
            EventRecordsFilter(
                event_type=DagsterEventType.ASSET_OBSERVATION,
                asset_key=AssetKey(["published", table]),
            )
        )
    reasons = [
        str(record.asset_observation.metadata[SKIP_METADATA_KEY].value)  # type: ignore[union-attr]
        for record in observed
    ]
    return runs, reasons

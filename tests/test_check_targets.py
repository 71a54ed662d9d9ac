"""The check steps fetch their targets' materializations in one query (check_targets.py),
and every check result still points at the materialization it checked."""

from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    DagsterInstance,
    asset,
    materialize,
    multi_asset_check,
)

from orchestration.quality.check_targets import prefetch_check_targets

FETCHED: list[int] = []


@asset
def leads() -> int:
    return 1


@asset
def accounts() -> int:
    return 2


@multi_asset_check(
    specs=[
        AssetCheckSpec("has_rows", asset="leads"),
        AssetCheckSpec("has_rows", asset="accounts"),
        AssetCheckSpec("unique_ids", asset="accounts"),
    ]
)
def both_checked(context: AssetCheckExecutionContext) -> Any:
    targets = [AssetKey("leads"), AssetKey("accounts"), AssetKey("accounts")]
    FETCHED.append(prefetch_check_targets(context, targets))
    FETCHED.append(prefetch_check_targets(context, targets))  # nothing left to fetch
    yield AssetCheckResult(asset_key="leads", check_name="has_rows", passed=True)
    yield AssetCheckResult(asset_key="accounts", check_name="has_rows", passed=True)
    yield AssetCheckResult(asset_key="accounts", check_name="unique_ids", passed=True)


def _evaluations(instance: DagsterInstance, run_id: str) -> list[Any]:
    return [
        event.dagster_event.event_specific_data
        for event in instance.all_logs(run_id)
        if event.dagster_event and event.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def _materializations(instance: DagsterInstance, run_id: str) -> dict[AssetKey, int]:
    return {
        record.asset_key: record.storage_id
        for key in (AssetKey("leads"), AssetKey("accounts"))
        for record in instance.fetch_materializations(key, limit=1).records
        if record.run_id == run_id
    }


def test_the_targets_are_fetched_once_and_each_result_points_at_its_materialization() -> None:
    FETCHED.clear()
    with DagsterInstance.ephemeral() as instance:
        for _ in range(2):  # the second run's checks must point at the second run's assets
            result = materialize([leads, accounts, both_checked], instance=instance)
            assert result.success
            stored = _materializations(instance, result.run_id)
            evaluations = _evaluations(instance, result.run_id)
            assert len(evaluations) == 3
            for evaluation in evaluations:
                target = evaluation.target_materialization_data
                assert target is not None
                assert target.run_id == result.run_id
                assert target.storage_id == stored[evaluation.asset_key]
    # two distinct targets fetched in one go, then none: Dagster's internals are as expected
    assert FETCHED == [2, 0, 2, 0]

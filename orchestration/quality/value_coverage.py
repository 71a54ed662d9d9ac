"""No source value maps silently to nothing: warning checks on the coverage models.

A coverage model lists every value of one kind seen in the sources (forms and email event
types that could be touches, CRM lead statuses and opportunity stages) with how many
records hold it and whether the definitions file covers it. A value it does not cover that
holds records would drop or misplace those records; the check warns with each such value
and its record count, so someone adds it to the definitions file.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

from dataclasses import dataclass

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import WarehouseResource


@dataclass(frozen=True)
class Coverage:
    model: AssetKey  # the coverage model the check is on
    check: str
    definition: str  # the part of the definitions file that covers the values
    description: str
    # (kind, value, label, records) of every value with records the definitions miss
    uncovered_sql: str
    noun: str  # how a missed value is called: its metadata keys are <noun>_values, ...


def build_value_coverage_check(coverage: Coverage) -> AssetChecksDefinition:
    noun = coverage.noun

    @asset_check(
        asset=coverage.model,
        name=coverage.check,
        blocking=False,
        pool=WAREHOUSE_POOL,
        description=coverage.description,
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        with warehouse.engine_for().session() as session:
            missed = session.query(coverage.uncovered_sql)
        named = [
            f"{kind} {value!r}"
            + (f" ({label})" if label and label != value else "")
            + f": {records} records"
            for kind, value, label, records in missed
        ]
        if named:
            context.log.warning(f"{noun} values ({coverage.definition}): " + "; ".join(named))
        table = ["| kind | value | label | records |", "|---|---|---|---:|"] + [
            f"| {kind} | {value} | {label} | {records} |" for kind, value, label, records in missed
        ]
        return AssetCheckResult(
            passed=not missed,
            severity=AssetCheckSeverity.WARN,
            description="; ".join(named) if named else f"no {noun} value",
            metadata={
                "definition": coverage.definition,
                f"{noun}_values": len(missed),
                f"{noun}_records": sum(int(r[3]) for r in missed),
                noun: MetadataValue.md("\n".join(table)),
            },
        )

    return _check

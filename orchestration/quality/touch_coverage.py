"""No touch maps silently to nothing: a warning check on the touch source coverage.

`intermediate.int_touch_source_coverage` lists every form, email event type and attendance
status seen in the sources with what the definitions make of it. A value no rule maps (and
not agreed as a non-touch) that holds records would drop those touches from the funnel;
this check warns with each such value and how many records it holds, so someone maps it in
the definitions file (`touch_sources`) or lists it under `not_touches`.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

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

COVERAGE = AssetKey(["intermediate", "int_touch_source_coverage"])
CHECK = "unmapped_touch_sources"
UNMAPPED_SQL = """
select source_kind, source_value, source_label, records
from intermediate.int_touch_source_coverage
where is_unmapped and records > 0
order by records desc, source_kind, source_value
"""


def build_touch_coverage_check() -> AssetChecksDefinition:
    @asset_check(
        asset=COVERAGE,
        name=CHECK,
        blocking=False,
        pool=WAREHOUSE_POOL,
        description="Every form, email event type and attendance status with records maps to "
        "a touch type or is an agreed non-touch (definition: touch_sources; warns only).",
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        with warehouse.engine_for().session() as session:
            unmapped = session.query(UNMAPPED_SQL)
        named = [
            f"{kind} {value!r}"
            + (f" ({label})" if label and label != value else "")
            + f": {records} records"
            for kind, value, label, records in unmapped
        ]
        if named:
            context.log.warning("touches mapped to nothing: " + "; ".join(named))
        table = ["| kind | value | label | records |", "|---|---|---|---:|"] + [
            f"| {kind} | {value} | {label} | {records} |"
            for kind, value, label, records in unmapped
        ]
        return AssetCheckResult(
            passed=not unmapped,
            severity=AssetCheckSeverity.WARN,
            description="; ".join(named) if named else "every source value is mapped",
            metadata={
                "definition": "touch_sources",
                "unmapped_values": len(unmapped),
                "unmapped_records": sum(r[3] for r in unmapped),
                "unmapped": MetadataValue.md("\n".join(table)),
            },
        )

    return _check

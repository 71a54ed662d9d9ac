"""No touch maps silently to nothing: a warning check on the touch source coverage.

`intermediate.int_touch_source_coverage` lists every form, email event type and attendance
status seen in the sources with what the definitions make of it. A value no rule maps (and
not agreed as a non-touch) that holds records would drop those touches from the funnel;
this check warns with each such value and how many records it holds, so someone maps it in
the definitions file (`touch_sources`) or lists it under `not_touches`.
"""

from dagster import AssetChecksDefinition, AssetKey

from orchestration.quality.value_coverage import Coverage, build_value_coverage_check

COVERAGE = AssetKey(["intermediate", "int_touch_source_coverage"])
CHECK = "unmapped_touch_sources"
UNMAPPED_SQL = """
select source_kind, source_value, source_label, records
from intermediate.int_touch_source_coverage
where is_unmapped and records > 0
order by records desc, source_kind, source_value
"""


def build_touch_coverage_check() -> AssetChecksDefinition:
    return build_value_coverage_check(
        Coverage(
            model=COVERAGE,
            check=CHECK,
            definition="touch_sources",
            description="Every form, email event type and attendance status with records "
            "maps to a touch type or is an agreed non-touch (definition: touch_sources; "
            "warns only).",
            uncovered_sql=UNMAPPED_SQL,
            noun="unmapped",
        )
    )

"""No CRM record is misplaced silently: a warning check on the CRM values the definitions
must name.

`intermediate.int_crm_value_coverage` lists every lead status and opportunity stage seen in
the CRM (current values and history) with how many records hold it. A lead status the
definitions do not map to a stage is no stage change at all; a stage outside the agreed
order neither advances nor closes a deal. This check warns with each such value and how
many records hold it, so both teams add it to the definitions file (`crm_lead_statuses`,
`opportunity_stages`): sales adding a picklist value must not quietly change the funnel.
"""

from dagster import AssetChecksDefinition, AssetKey

from orchestration.quality.value_coverage import Coverage, build_value_coverage_check

COVERAGE = AssetKey(["intermediate", "int_crm_value_coverage"])
CHECK = "unknown_crm_values"
UNKNOWN_SQL = """
select value_kind, crm_value, crm_value, records
from intermediate.int_crm_value_coverage
where is_unknown and records > 0
order by records desc, value_kind, crm_value
"""


def build_crm_value_check() -> AssetChecksDefinition:
    return build_value_coverage_check(
        Coverage(
            model=COVERAGE,
            check=CHECK,
            definition="crm_lead_statuses, opportunity_stages",
            description="Every lead status and opportunity stage with records in the CRM is "
            "named in the definitions (definition: crm_lead_statuses, opportunity_stages; "
            "warns only).",
            uncovered_sql=UNKNOWN_SQL,
            noun="unknown",
        )
    )

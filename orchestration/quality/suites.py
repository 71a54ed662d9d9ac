"""The Great Expectations suites, generated from the agreed definitions file.

`common-funnel expectations` writes one suite per validated table to `expectations/`
(GE's own JSON); a test fails when the committed suites drift from the definitions file.
Sets (stages, lost-reason categories, transitions) are written into the suites from the
file; thresholds are GE suite parameters (`{"$PARAMETER": ...}`) whose values come from
the file at run time (`parameters.py`), or from the previous publish (row volumes).

Every expectation's `meta` names its Dagster check (`check`) and the agreed definition it
enforces (`definition`); `severity` says whether it blocks the publish: `critical`
blocks, `warning` only warns (see the README's severity policy).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.common_language.model import FunnelDefinitions
from orchestration.ingest.contract import load_contract
from orchestration.settings import PROJECT_ROOT

SUITES_DIR = PROJECT_ROOT / "expectations"
CRITICAL, WARNING = "critical", "warning"
ROW_VOLUME = "row_volume_within_bounds"
STAGE_COLUMNS = {  # lifecycle stage -> the fct_lead_lifecycle column holding its time
    "inquiry": "inquiry_at",
    "mql": "mql_at",
    "sal": "sal_at",
    "sql": "sql_at",
    "won": "won_at",
    "lost": "lost_at",
    "recycled": "recycled_at",
    "disqualified": "disqualified_at",
}
METRIC_RATES = {  # published metric table -> its rate columns (shares in [0, 1])
    "metric_opportunity_rate_after_first_touch": ["opportunity_rate"],
    "metric_opportunity_stage_advances": [],
    "metric_lost_reasons": ["share_of_lost"],
    "metric_time_to_opportunity": [],
    "metric_industry_response_rate": ["response_rate"],
    "metric_funnel_waterfall": [
        "inquiry_to_mql_rate",
        "mql_to_sal_rate",
        "sal_to_sql_rate",
        "sql_to_won_rate",
        "inquiry_to_won_rate",
    ],
    "metric_mql_acceptance": ["acceptance_rate"],
    "metric_mql_rejection_reasons": ["share_of_rejections"],
    "metric_followup_sla": ["within_sla_rate"],
}
FUNNEL_STEPS = ["inquiries", "mqls", "sals", "sqls", "wins"]


@dataclass
class Suite:
    """One table's suite: `schema.table`, its expectations, the key columns to sample."""

    schema: str
    table: str
    keys: list[str]
    expectations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    def add(
        self,
        check: str,
        expectation_type: str,
        definition: str,
        description: str,
        severity: str = CRITICAL,
        **kwargs: Any,
    ) -> None:
        self.expectations.append(
            {
                "type": expectation_type,
                "kwargs": kwargs,
                "meta": {"check": check, "definition": definition},
                "description": description,
                "severity": severity,
            }
        )

    def row_volume(self) -> None:
        self.add(
            ROW_VOLUME,
            "expect_table_row_count_to_be_between",
            "quality.row_count_max_change, quality.row_count_min_allowance",
            "Row count within the agreed change of the previous publish (the larger of a share"
            " and a number of rows).",
            min_value={"$PARAMETER": "min_rows"},
            max_value={"$PARAMETER": "max_rows"},
        )

    def to_json(self, version: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "expectations": self.expectations,
            "meta": {
                "generated_from": "orchestration/common_language/funnel_definitions.yml",
                "definitions_version": version,
                "keys": self.keys,
                "regenerate_with": "common-funnel expectations",
            },
        }


def _lost(column: str) -> dict[str, Any]:
    return {"row_condition": f'col("{column}")=="lost"', "condition_parser": "great_expectations"}


def _dim_persons(d: FunnelDefinitions) -> Suite:
    suite = Suite("marts", "dim_persons", ["person_id"])
    stages = [s.code for s in d.stages]
    suite.add(
        "one_row_per_person",
        "expect_column_values_to_be_unique",
        "identity",
        "Every person exists exactly once.",
        column="person_id",
    )
    suite.add(
        "current_stage_present",
        "expect_column_values_to_not_be_null",
        "stages",
        "Every person has a current stage.",
        column="current_stage",
    )
    suite.add(
        "current_stage_defined",
        "expect_column_values_to_be_in_set",
        "stages",
        "The current stage is one of the agreed stages (or 'known': no inquiry yet).",
        column="current_stage",
        value_set=[*stages, "known"],
    )
    suite.add(
        "account_exists",
        "unexpected_rows_expectation",
        "identity",
        "A person's account is in dim_accounts.",
        unexpected_rows_query=(
            "select persons.person_id from {batch} as persons "
            "left join marts.dim_accounts as accounts on persons.account_id = "
            "accounts.account_id where persons.account_id is not null "
            "and accounts.account_id is null"
        ),
    )
    suite.row_volume()
    return suite


MQL_RULE_VIOLATIONS = """
with agreement as (select * from definitions.agreement),
cycles as (select * from {batch} as batch_rows),
evidence as (
    select
        cycles.lifecycle_id,
        coalesce(sum(touches.weight) filter (
            where touches.touched_at
                >= cycles.mql_at - agreement.mql_lookback_days * interval '1' day
            and touches.touched_at <= cycles.mql_at
        ), 0) as most_touch_points,
        coalesce(bool_or(touches.counts_as_inquiry and touches.touched_at <= cycles.mql_at),
            false) as has_prior_inquiry,
        coalesce(bool_or(touches.is_direct_to_sales and touches.touched_at = cycles.mql_at),
            false) as has_direct_touch
    from cycles
    cross join agreement
    left join intermediate.int_touchpoints_unioned as touches
        on cycles.person_id = touches.person_id
    group by cycles.lifecycle_id
)
select cycles.lifecycle_id, cycles.person_id, cycles.mql_path, evidence.most_touch_points,
    persons.seniority_points, persons.is_fit
from cycles
cross join agreement
inner join evidence on cycles.lifecycle_id = evidence.lifecycle_id
inner join marts.dim_persons as persons on cycles.person_id = persons.person_id
where case
    when cycles.mql_path = 'direct_to_sales' then not evidence.has_direct_touch
    else evidence.most_touch_points + coalesce(persons.seniority_points, 0)
            < agreement.mql_threshold
        or not coalesce(persons.is_fit, false)
        or (agreement.mql_requires_prior_inquiry and not evidence.has_prior_inquiry)
end
""".strip()


def _fct_lead_lifecycle(d: FunnelDefinitions) -> Suite:
    suite = Suite("marts", "fct_lead_lifecycle", ["lifecycle_id"])
    order = {s.code: i for i, s in enumerate(d.stages)}
    seen: set[tuple[str, str]] = set()
    for transition in d.transitions:
        pair = (transition.from_, transition.to)
        forward = order[transition.to] > order[transition.from_]
        if pair in seen or not forward or not set(pair) <= set(STAGE_COLUMNS):
            continue  # a move back to an earlier stage starts a new cycle (a new row)
        seen.add(pair)
        suite.add(
            f"{transition.to}_not_before_{transition.from_}",
            "expect_column_pair_values_a_to_be_greater_than_b",
            "transitions",
            f"Within a cycle, {transition.to} comes at or after {transition.from_}.",
            column_A=STAGE_COLUMNS[transition.to],
            column_B=STAGE_COLUMNS[transition.from_],
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
    suite.add(
        "mql_rule_holds",
        "unexpected_rows_expectation",
        "mql_rule",
        "Every MQL meets the MQL rule, recomputed apart from the dbt models: a direct-to-"
        "sales MQL has its hand-raise touch; a score MQL has a fit account, a prior inquiry "
        "and at least the threshold in touch weights (lookback window) plus seniority.",
        unexpected_rows_query=MQL_RULE_VIOLATIONS,
    )
    suite.add(
        "sla_hours_as_agreed",
        "expect_column_values_to_be_between",
        "acceptance.sla_hours",
        "Every cycle is measured against the agreed SLA.",
        column="sla_hours",
        min_value={"$PARAMETER": "sla_hours"},
        max_value={"$PARAMETER": "sla_hours"},
    )
    suite.add(
        "sla_flag_consistent",
        "unexpected_rows_expectation",
        "acceptance.sla_hours",
        "Within-SLA is true exactly when the first follow-up came within the SLA hours.",
        unexpected_rows_query=(
            "select lifecycle_id from {batch} where is_followed_up_within_sla is distinct "
            "from coalesce(hours_to_first_followup <= sla_hours, false)"
        ),
    )
    suite.add(
        "followup_not_before_mql",
        "expect_column_values_to_be_between",
        "acceptance",
        "Hours to the first follow-up are never negative.",
        column="hours_to_first_followup",
        min_value=0,
    )
    suite.add(
        "person_exists",
        "unexpected_rows_expectation",
        "identity",
        "Every cycle belongs to a person in dim_persons.",
        unexpected_rows_query=(
            "select cycles.lifecycle_id from {batch} as cycles left join marts.dim_persons "
            "as persons on cycles.person_id = persons.person_id where persons.person_id is null"
        ),
    )
    suite.row_volume()
    return suite


def _fct_opportunities(d: FunnelDefinitions) -> Suite:
    suite = Suite("marts", "fct_opportunities", ["opportunity_id"])
    categories = [c.code for c in d.lost_reasons.categories]
    unclassified = d.lost_reasons.unclassified.code
    suite.add(
        "lost_deal_has_reason",
        "expect_column_values_to_not_be_null",
        "lost_reasons",
        "Every closed-lost opportunity has a lost-reason category.",
        column="lost_reason_category",
        **_lost("outcome"),
    )
    suite.add(
        "lost_reason_canonical",
        "expect_column_values_to_be_in_set",
        "lost_reasons",
        "Lost-reason categories come from the agreed taxonomy.",
        column="lost_reason_category",
        value_set=[*categories, unclassified],
    )
    suite.add(
        "unclassified_share_within_limit",
        "expect_column_values_to_not_be_in_set",
        "lost_reasons.max_unclassified_share",
        "At most the agreed share of lost deals is unclassified.",
        column="lost_reason_category",
        value_set=[unclassified],
        mostly={"$PARAMETER": "classified_lost_min_share"},
        **_lost("outcome"),
    )
    for entity, dimension, column in (
        ("person", "dim_persons", "person_id"),
        ("account", "dim_accounts", "account_id"),
    ):
        suite.add(
            f"{entity}_exists",
            "unexpected_rows_expectation",
            "identity",
            f"An opportunity's {entity} is in {dimension}.",
            unexpected_rows_query=(
                f"select deals.opportunity_id from {{batch}} as deals left join "
                f"marts.{dimension} as dims on deals.{column} = dims.{column} "
                f"where deals.{column} is not null and dims.{column} is null"
            ),
        )
    suite.row_volume()
    return suite


def _metric(table: str) -> Suite:
    suite = Suite("marts", table, ["grain", "period_label"])
    for rate in METRIC_RATES[table]:
        suite.add(
            f"{rate}_within_0_1",
            "expect_column_values_to_be_between",
            "metrics",
            f"{rate} is a share: between 0 and 1 (or null with its reason).",
            column=rate,
            min_value=0,
            max_value=1,
        )
    if table == "metric_funnel_waterfall":
        for upper, lower in itertools.pairwise(FUNNEL_STEPS):
            suite.add(
                f"{lower}_not_above_{upper}",
                "expect_column_pair_values_a_to_be_greater_than_b",
                "stages",
                f"Within a cohort, {lower} never exceed {upper}.",
                column_A=upper,
                column_B=lower,
                or_equal=True,
            )
    suite.row_volume()
    return suite


def _freshness(schema: str, table: str) -> Suite:
    suite = Suite(schema, table, ["_source_file", "_source_line"])
    suite.add(
        "source_fresh",
        "expect_column_max_to_be_between",
        "quality.source_freshness_hours",
        "The newest landed rows are no older than the agreed freshness.",
        severity=WARNING,
        column="_loaded_at",
        min_value={"$PARAMETER": "fresh_after"},
    )
    return suite


def build_suites(definitions: FunnelDefinitions) -> list[Suite]:
    suites = [
        _dim_persons(definitions),
        _fct_lead_lifecycle(definitions),
        _fct_opportunities(definitions),
        *(_metric(table) for table in METRIC_RATES),
    ]
    suites += [_freshness(t.schema, t.name) for t in load_contract()]
    return suites


def render(suite: Suite, version: str) -> str:
    """The suite as GE's JSON (validated by GE's own ExpectationSuite), stable bytes."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    document = suite.to_json(version)
    ExpectationSuite(**document)  # GE rejects an unknown expectation or a bad argument
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_suites(suites: Iterable[Suite], version: str, directory: Path = SUITES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for suite in suites:
        path = directory / f"{suite.name}.json"
        path.write_text(render(suite, version), encoding="utf-8")
        written.append(path)
    return written


def load_suite(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def committed_suites(directory: Path = SUITES_DIR) -> dict[str, dict[str, Any]]:
    return {p.stem: load_suite(p) for p in sorted(directory.glob("*.json"))}

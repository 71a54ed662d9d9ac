"""A whole proposal: sandboxes, comparison tables, and a summary to print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.common_language.load import LoadedDefinitions
from orchestration.proposals.comparison import write_comparison
from orchestration.proposals.gate import gate_outcomes
from orchestration.proposals.report import REPORT_NAME, write_report
from orchestration.proposals.rule_diff import RuleChange, rule_changes
from orchestration.proposals.sandbox import build_sides

PROPOSALS_FOLDER = "proposals"
DATABASE_NAME = "proposal.duckdb"


@dataclass(frozen=True)
class ProposalResult:
    root: Path
    database: Path
    report: Path
    changes: list[RuleChange]


def proposal_root(data_dir: Path, proposal: LoadedDefinitions) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return data_dir / PROPOSALS_FOLDER / f"{stamp}-{proposal.sha256[:8]}"


def run_proposal(
    warehouse: Path, root: Path, base: LoadedDefinitions, proposal: LoadedDefinitions
) -> ProposalResult:
    """Build both sides from the warehouse's raw tables and write the comparison."""
    changes = rule_changes(base, proposal)
    base_side, proposed_side = build_sides(warehouse, root, base, proposal)
    database = root / DATABASE_NAME
    gate = [*gate_outcomes(base_side), *gate_outcomes(proposed_side)]
    write_comparison(database, base_side, proposed_side, changes, gate)
    report = write_report(database, base, proposal, root / REPORT_NAME)
    return ProposalResult(root, database, report, changes)


def summary_lines(result: ProposalResult) -> list[str]:
    """What moved, in a few lines (the tables hold the rest)."""
    con = duckdb.connect(str(result.database), read_only=True)
    try:
        persons = con.execute(
            "select change, count(*) from person_changes group by 1 order by 1"
        ).fetchall()
        deals = con.execute(
            "select change, count(*) from opportunity_changes group by 1 order by 1"
        ).fetchall()
        metrics = con.execute(
            "select count(*) filter (where difference <> 0 or (current_value is null)"
            " <> (proposed_value is null)), count(*) from metric_changes"
        ).fetchone() or (0, 0)
        failing = con.execute(
            "select side, test, status, failures from test_outcomes"
            " where status in ('fail', 'error', 'warn')"
            " union all select side, suite || ': ' || check_name,"
            " case when blocking then 'fail (blocking)' else 'fail (warning)' end,"
            " unexpected_count from gate_outcomes where not success order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    lines = [
        "Persons whose MQL moved: "
        + (", ".join(f"{change} {count}" for change, count in persons) or "none"),
        "Deals that moved: "
        + (", ".join(f"{change} {count}" for change, count in deals) or "none"),
        f"Metric values that differ: {metrics[0]:,} of {metrics[1]:,}",
    ]
    lines += [
        f"Test {status} on the {side} side: {test} ({n} rows)" for side, test, status, n in failing
    ]
    return lines

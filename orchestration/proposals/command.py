"""`common-funnel propose`: validate, show the rule changes, build both sides, compare."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from orchestration.common_language.load import DefinitionsError
from orchestration.proposals.rule_diff import rule_changes
from orchestration.proposals.run import proposal_root, run_proposal, summary_lines
from orchestration.proposals.sandbox import ProposalError
from orchestration.proposals.sources import proposal_pair
from orchestration.settings import Settings

EXIT_INVALID = 2
EXIT_NOT_BUILT = 1


def propose(
    settings: Settings,
    proposed: Path | None,
    base_ref: str | None,
    rules_only: bool = False,
    say: Callable[[str], None] = print,
) -> int:
    """The command's exit code: 0 done, 2 an invalid file (the key named), 1 not built."""
    with tempfile.TemporaryDirectory() as workdir:
        try:
            base, proposal = proposal_pair(
                settings.definitions_path, proposed, base_ref, Path(workdir)
            )
        except DefinitionsError as error:
            say(f"Invalid: {error}")
            return EXIT_INVALID
    changes = rule_changes(base, proposal)
    where = f" at {base_ref}" if base_ref else ""
    say(f"Base: {settings.definitions_path.name}{where}, version {base.version}")
    say(f"Proposal: {proposal.path}, version {proposal.version}")
    if not changes:
        say("No rule changes: the proposal would build exactly what the base builds.")
    else:
        say(f"Rule changes ({len(changes)}):")
        for change in changes:
            say(f"  - {change.text}")
    if rules_only:
        return 0
    root = proposal_root(settings.data_dir, proposal)
    say(f"Building both sides from the warehouse's raw tables in {root} ...")
    try:
        result = run_proposal(settings.warehouse_path, root, base, proposal)
    except ProposalError as error:
        say(f"Proposal not built: {error}")
        return EXIT_NOT_BUILT
    for line in summary_lines(result):
        say(line)
    say(f"Comparison tables: {result.database}")
    say(f"Report: {result.report}")
    return 0

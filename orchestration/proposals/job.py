"""The proposal as a Dagster job, launchable from the UI's launchpad with the file as config.

The op does what `common-funnel propose` does. It uses no warehouse resource: a run that
did would hold the warehouse's run lock for the whole proposal; the proposal takes the
lock only while it copies the raw tables (`sandbox.copy_raw`), so the daily run is never
kept waiting for the sandbox builds. Its output metadata links the report and the
proposal database, and lists the rule changes and what moved.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

from pathlib import Path

from dagster import Config, Failure, MetadataValue, OpExecutionContext, Output, job, op
from pydantic import Field

from orchestration.common_language.load import DefinitionsError
from orchestration.proposals.run import proposal_root, run_proposal, summary_lines
from orchestration.proposals.sandbox import ProposalError
from orchestration.proposals.sources import proposal_pair
from orchestration.settings import load_settings

JOB_NAME = "propose_definitions"


class ProposalConfig(Config):
    proposed_file: str = Field(
        default="",
        description="The proposed definitions file; empty: the working tree's file"
        " (with base_ref).",
    )
    base_ref: str = Field(
        default="",
        description="Compare with the definitions file at this git ref instead of the agreed file.",
    )


@op(
    description="Build the semantic layer under a proposed definitions file beside the"
    " warehouse, from the same raw rows, and compare it with the agreed one."
)
def propose_definitions_op(context: OpExecutionContext, config: ProposalConfig) -> Output[str]:
    import tempfile

    settings = load_settings()
    proposed = Path(config.proposed_file) if config.proposed_file else None
    with tempfile.TemporaryDirectory() as workdir:
        try:
            base, proposal = proposal_pair(
                settings.definitions_path, proposed, config.base_ref or None, Path(workdir)
            )
        except DefinitionsError as error:
            raise Failure(description=str(error), allow_retries=False) from error
    root = proposal_root(settings.data_dir, proposal)
    context.log.info(f"building both sides in {root}")
    try:
        result = run_proposal(settings.warehouse_path, root, base, proposal)
    except ProposalError as error:
        raise Failure(description=str(error), allow_retries=False) from error
    rules = "\n".join(f"- {c.text}" for c in result.changes) or "No rule changes."
    return Output(
        str(result.report),
        metadata={
            "report": MetadataValue.path(str(result.report)),
            "report_url": MetadataValue.url(result.report.resolve().as_uri()),
            "proposal_database": MetadataValue.path(str(result.database)),
            "rule_changes": MetadataValue.md(rules),
            "what_moved": MetadataValue.md(
                "\n".join(f"- {line}" for line in summary_lines(result))
            ),
            "base_version": base.version,
            "proposed_version": proposal.version,
        },
    )


@job(
    name=JOB_NAME,
    description="What a changed definitions file would do, before both teams sign it: "
    "rule changes, comparison tables and a bilingual report (README, 'Proposing a change').",
)
def propose_definitions() -> None:
    propose_definitions_op()

"""What the quality gate would say about each side: the same Great Expectations suites
the gate runs on the marts, generated from that side's own definitions (a proposal that
changes the allowed unclassified lost-reason share is judged by its own promise), run on
the side's sandbox. Row volumes are not judged (no earlier publish of a proposal exists)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from orchestration.proposals.sandbox import SideBuild

MARTS_PREFIX = "marts."


@dataclass(frozen=True)
class GateOutcome:
    side: str
    suite: str
    check: str
    definition: str
    blocking: bool
    success: bool
    unexpected_count: int | None


def gate_outcomes(side: SideBuild) -> list[GateOutcome]:
    from orchestration.quality.parameters import suite_parameters
    from orchestration.quality.suites import build_suites, render
    from orchestration.quality.validate import validate

    definitions = side.definitions.definitions
    documents = [
        json.loads(render(suite, side.definitions.version))
        for suite in build_suites(definitions)
        if suite.name.startswith(MARTS_PREFIX)
    ]
    now = datetime.now(UTC)
    parameters = {
        str(d["name"]): suite_parameters(definitions, str(d["name"]), {}, now) for d in documents
    }
    return [
        GateOutcome(
            side.side,
            o.suite,
            o.check,
            o.definition,
            o.blocking,
            o.success,
            o.unexpected_count,
        )
        for o in validate(side.warehouse, documents, parameters.__getitem__)
    ]

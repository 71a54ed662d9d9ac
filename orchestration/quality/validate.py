"""Run the committed GE suites against the warehouse, in the engine that holds it.

GE runs every expectation where the tables are: as SQL in DuckDB or PostgreSQL through
its SQL datasources (read-only connections, closed afterwards), as Spark jobs through its
Spark datasource (aggregates and samples come back, never whole tables). Each
expectation becomes an `Outcome`; an expectation GE could not evaluate raises
`ValidationError` (an error of the check, never a failed expectation). Data Docs (HTML:
one page per validation) are rebuilt after every validation into `docs_dir`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.engines.base import Engine
from orchestration.engines.duckdb_engine import DuckDBEngine
from orchestration.quality.suites import CRITICAL

SAMPLE_SIZE = 5


class ValidationError(RuntimeError):
    """GE could not evaluate an expectation (a bug or a broken table, not bad data)."""


@dataclass(frozen=True)
class Outcome:
    suite: str
    check: str
    definition: str
    description: str
    severity: str
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    failing_keys: list[Any] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return self.severity == CRITICAL


def _context(docs_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name="quality_gate",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                # validation pages only: each lists every expectation with its parameters
                # and result; the suites themselves are expectations/*.json (their own
                # pages took 60% of the build, ~0.25 s a check step)
                "site_section_builders": {"expectations": "0"},
            },
        )
    return context


def _raised(info: Any) -> list[str]:
    """Messages of the exceptions GE caught while evaluating an expectation. GE reports
    them at the top of `exception_info` or per metric below it."""
    if not isinstance(info, dict):
        return []
    if info.get("raised_exception"):
        return [str(info.get("exception_message"))]
    return [m for value in info.values() for m in _raised(value)] if info else []


def _outcome(suite: str, result: Any) -> Outcome:
    config = result.expectation_config
    raised = _raised(result.exception_info)
    if raised:
        raise ValidationError(
            f"{suite}: {config.type} ({config.meta.get('check')}) could not be evaluated: "
            + "; ".join(sorted(set(raised)))
        )
    details = result.result or {}
    keys = details.get("partial_unexpected_index_list") or details.get(
        "partial_unexpected_list", []
    )
    if config.type == "unexpected_rows_expectation":
        keys = details.get("details", {}).get("unexpected_rows", keys)
    return Outcome(
        suite=suite,
        check=config.meta["check"],
        definition=config.meta["definition"],
        description=config.description or "",
        severity=str(getattr(config.severity, "value", config.severity)),
        success=bool(result.success),
        observed_value=details.get("observed_value"),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=details.get("unexpected_percent"),
        failing_keys=list(keys)[:SAMPLE_SIZE],
    )


def validate(
    engine: Engine | Path,
    suites: Iterable[Mapping[str, Any]],
    parameters: Callable[[str], Mapping[str, Any]],
    docs_dir: Path | None = None,
) -> list[Outcome]:
    """Validate each suite (GE JSON) against its table; parameters(suite name) gives the
    suite parameters. `engine`: where the tables are (a path: that DuckDB file)."""
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite

    if isinstance(engine, Path):
        engine = DuckDBEngine(engine, engine)
    context = _context(docs_dir)
    outcomes: list[Outcome] = []
    with engine.ge_batches(context) as batches:
        for document in suites:
            name = str(document["name"])
            schema, table = name.split(".", 1)
            batch, batch_parameters = batches(schema, table)
            suite = context.suites.add(ExpectationSuite(**document))
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            result = definition.run(
                batch_parameters=batch_parameters or None,
                expectation_parameters=dict(parameters(name)),
                result_format={
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": SAMPLE_SIZE,
                    "unexpected_index_column_names": list(document["meta"]["keys"]),
                },
            )
            outcomes += [_outcome(name, r) for r in result.results]
    if docs_dir is not None:
        context.build_data_docs()
    return outcomes

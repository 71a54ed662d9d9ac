"""The committed GE suites as Dagster asset checks: one check per expectation.

Two check steps: `quality_gate` runs the suites of the marts after the dbt build, and
`source_freshness` the raw tables' freshness after ingestion. A `critical` expectation is
a blocking check (severity ERROR): the publish waits for it and does not run when it
fails; a `warning` one only warns. Each result carries the observed value, the unexpected
count, a sample of failing keys, the definition it enforces and a link to GE's Data Docs.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MetadataValue,
    map_asset_specs,
    multi_asset_check,
)

from orchestration.common_language.load import load_definitions
from orchestration.engines.base import Engine
from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.ingest.contract import load_contract
from orchestration.quality.acceptances import open_acceptances
from orchestration.quality.check_targets import prefetch_check_targets
from orchestration.quality.crm_values import build_crm_value_check
from orchestration.quality.finite_numbers import build_finite_numbers_check
from orchestration.quality.parameters import Baseline, allowed_text, suite_parameters
from orchestration.quality.suites import CRITICAL, ROW_VOLUME, committed_suites
from orchestration.quality.touch_coverage import build_touch_coverage_check
from orchestration.quality.validate import Outcome, validate
from orchestration.resources import DefinitionsFileResource, PublishedResource, WarehouseResource
from orchestration.settings import SourceModes

GATE, FRESHNESS = "quality_gate", "source_freshness"


def _asset_key(suite: str) -> AssetKey:
    return AssetKey(suite.split(".", 1))


def with_great_expectations_kind(
    assets: list[AssetsDefinition], suites: Mapping[str, Mapping[str, Any]]
) -> list[AssetsDefinition]:
    """The kind `great_expectations` on every asset a GE suite validates (asset checks have
    no kinds of their own), so the UI's kind filter finds what GE guards."""
    validated = {_asset_key(name) for name in suites}

    def mark(spec: AssetSpec) -> AssetSpec:
        if spec.key not in validated:
            return spec
        return spec.merge_attributes(kinds={"great_expectations"})

    return list(map_asset_specs(mark, assets))


def blocking_checks(suites: Mapping[str, Mapping[str, Any]]) -> set[tuple[AssetKey, str]]:
    """(asset, check) of every critical expectation: what a publish needs passed."""
    return {
        (_asset_key(name), e["meta"]["check"])
        for name, suite in suites.items()
        for e in suite["expectations"]
        if e["severity"] == CRITICAL
    }


def _specs(suites: Mapping[str, Mapping[str, Any]]) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            name=e["meta"]["check"],
            asset=_asset_key(name),
            blocking=e["severity"] == CRITICAL,
            description=f"{e['description']} (definition: {e['meta']['definition']}; "
            f"GE: {e['type']}; severity: {e['severity']})",
        )
        for name, suite in suites.items()
        for e in suite["expectations"]
    ]


def _baselines(engine: Engine, quality_dir: Path, version: str) -> dict[str, Baseline]:
    """Each published table's baseline: its rows in the last publish built by the same
    definitions version (a new version may move volumes on purpose: a lower MQL threshold
    makes more MQLs, so its first publish is not judged), or an open acceptance."""
    same = [entry for entry in engine.read_log() if entry[3] == version]
    baselines: dict[str, Baseline] = {}
    if same:
        publish_id, published_at = same[-1][0], same[-1][1]
        for table, rows in json.loads(same[-1][6]).items():
            baselines[table] = Baseline(rows, publish_id, f"{published_at:%Y-%m-%d %H:%M %Z}")
    for table, acceptance in open_acceptances(quality_dir).items():
        baselines[table] = Baseline(
            baselines.get(table, Baseline()).rows,
            accepted_by=acceptance.accepted_by,
            reason=acceptance.reason,
        )
    return baselines


@dataclass(frozen=True)
class Judged:
    """An outcome with what was allowed and what it was compared with, in words."""

    outcome: Outcome
    allowed: str
    baseline: str | None

    def message(self) -> str:
        o = self.outcome
        text = (
            f"{o.suite} {o.check} (definition: {o.definition}): observed {o.observed_value}"
            + (f", {o.unexpected_count} unexpected" if o.unexpected_count else "")
            + f"; allowed {self.allowed}"
        )
        return text + (f"; baseline: {self.baseline}" if self.baseline else "")


def _judge(
    outcomes: list[Outcome],
    suites: Mapping[str, Mapping[str, Any]],
    parameters: Mapping[str, Mapping[str, Any]],
    baselines: Mapping[str, Baseline],
    version: str,
) -> list[Judged]:
    judged = []
    for o in outcomes:
        expectation = next(
            e for e in suites[o.suite]["expectations"] if e["meta"]["check"] == o.check
        )
        baseline = None
        if o.check == ROW_VOLUME:
            baseline = baselines.get(o.suite.split(".", 1)[1], Baseline()).describe(version)
        judged.append(Judged(o, allowed_text(expectation, parameters[o.suite]), baseline))
    return judged


def _result(judged: Judged, docs: Path) -> AssetCheckResult:
    outcome = judged.outcome
    metadata: dict[str, Any] = {
        "definition": outcome.definition,
        "observed_value": MetadataValue.text(str(outcome.observed_value)),
        "allowed": MetadataValue.text(judged.allowed),
        "data_docs": MetadataValue.url(f"file://{docs / 'index.html'}"),
    }
    if judged.baseline is not None:
        metadata["baseline"] = MetadataValue.text(judged.baseline)
    if outcome.unexpected_count is not None:
        metadata["unexpected_count"] = outcome.unexpected_count
    if outcome.unexpected_percent is not None:
        metadata["unexpected_percent"] = float(outcome.unexpected_percent)
    if outcome.failing_keys:  # timestamps and decimals become text
        sample = json.loads(json.dumps(outcome.failing_keys, default=str))
        metadata["failing_keys_sample"] = MetadataValue.json(sample)
    return AssetCheckResult(
        asset_key=_asset_key(outcome.suite),
        check_name=outcome.check,
        passed=outcome.success,
        severity=AssetCheckSeverity.ERROR if outcome.blocking else AssetCheckSeverity.WARN,
        description=outcome.description if outcome.success else judged.message(),
        metadata=metadata,
    )


def _build(
    name: str, suites: Mapping[str, Mapping[str, Any]], description: str
) -> AssetChecksDefinition:
    @multi_asset_check(
        specs=_specs(suites), name=name, description=description, pool=WAREHOUSE_POOL
    )
    def _check(
        context: AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        published: PublishedResource,
        definitions_file: DefinitionsFileResource,
    ) -> Iterator[AssetCheckResult]:
        loaded = load_definitions(definitions_file.resolved_path())
        definitions = loaded.definitions
        engine = warehouse.engine_for(published.resolved_path())
        baselines = _baselines(engine, published.quality_dir(), loaded.version)
        now = datetime.now(UTC)
        docs = published.quality_dir() / "data_docs" / name
        parameters = {n: suite_parameters(definitions, n, baselines, now) for n in suites}
        outcomes = validate(engine, suites.values(), parameters.__getitem__, docs)
        judged = _judge(outcomes, suites, parameters, baselines, loaded.version)
        prefetch_check_targets(context, [_asset_key(name) for name in suites])
        for one in judged:
            yield _result(one, docs)
        failed = [j for j in judged if j.outcome.blocking and not j.outcome.success]
        context.log.info(
            f"{name}: {len(outcomes) - len(failed)} of {len(outcomes)} passed; Data Docs: "
            f"{docs / 'index.html'}"
        )
        if failed:
            raise Failure(
                description="Not published: the data breaks the agreed definitions: "
                + " | ".join(j.message() for j in failed),
                allow_retries=False,  # bad data is not a transient error
            )

    return _check


def build_quality_checks(
    suites: Mapping[str, Mapping[str, Any]] | None = None, modes: SourceModes | None = None
) -> list[AssetChecksDefinition]:
    """suites: the committed GE suites (read from expectations/ when not given). The raw
    tables of a system in `fivetran` mode are not in the warehouse: their freshness is the
    observation's check (`orchestration/ingest/fivetran.py`), so their suites are left out."""
    suites = committed_suites() if suites is None else suites
    modes = modes or SourceModes()
    observed = {t.schema for t in load_contract() if modes.mode(t.system) == "fivetran"}
    marts = {n: s for n, s in suites.items() if not n.startswith("raw_")}
    raw = {
        n: s for n, s in suites.items() if n.startswith("raw_") and n.split(".")[0] not in observed
    }
    return [
        _build(GATE, marts, "The agreed definitions, checked on the marts before publish."),
        _build(FRESHNESS, raw, "Every raw table has recently landed rows (warns only)."),
        build_touch_coverage_check(),
        build_crm_value_check(),
        build_finite_numbers_check(),
    ]

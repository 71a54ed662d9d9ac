"""The published tables as one Dagster multi-asset: all publish together or none does.

Which tables publish is dbt's decision (`meta.publish` in dbt_project.yml, set for every
mart), read from the manifest, so a new mart is published without touching this file.
Write-audit-publish: the marts are written by dbt, audited by the blocking checks (dbt
tests and the GE quality gate), and only then published. A failed dbt build or blocking
check skips this step; and the step itself refuses to publish unless every blocking GE
check passed *in this run* (so a run that selects the publish alone publishes nothing
unaudited). It copies the marts into a new version of the published file while it draws
the charts from the audited marts, and swaps the new version in (logging the publish,
store.py) only once every chart is drawn: a chart that fails abandons the new version, so
the published file never runs ahead of a failed step. The chart files are written after
the swap (a failed publish leaves the charts of the version still published).

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DagsterEventType,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.automation.freshness import PUBLISHED as PUBLISHED_FRESHNESS
from orchestration.engines.base import PublishRequest
from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.quality.acceptances import close as close_acceptances
from orchestration.quality.acceptances import open_acceptances
from orchestration.quality.checks import blocking_checks
from orchestration.quality.finite_numbers import FINITE
from orchestration.quality.suites import committed_suites
from orchestration.resources import PublishedResource, WarehouseResource
from orchestration.transform.project import dbt_project, published_models
from orchestration.transform.unchanged import inputs_fingerprint
from orchestration.transform.unchanged import record as record_inputs

PUBLISHED_SCHEMA = "published"
GROUP = "published"


def _checks_of_run(context: AssetExecutionContext) -> list[AssetCheckEvaluation]:
    """Asset checks evaluated so far in this run."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = []
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.event_specific_data if event else None
        if isinstance(data, AssetCheckEvaluation):
            evaluations.append(data)
    return evaluations


def audit(
    evaluations: list[AssetCheckEvaluation], required: set[tuple[AssetKey, str]]
) -> list[str]:
    """Why the run may not publish: a blocking check that failed, or one the run never
    evaluated (publishing only what was audited in this very run). Empty: publish."""
    problems = [
        f"{e.asset_key.to_user_string()} {e.check_name} failed"
        for e in evaluations
        if not e.passed and e.severity == AssetCheckSeverity.ERROR
    ]
    passed = {(e.asset_key, e.check_name) for e in evaluations if e.passed}
    problems += [
        f"{key.to_user_string()} {name} was not evaluated in this run"
        for key, name in sorted(required - passed, key=str)
    ]
    return problems


def _draw(local: Any, charts_dir: Path) -> dict[str, Any]:
    """Every chart from `local` (the chart tables' copy, closed afterwards)."""
    from orchestration.publish.charts import render_all

    try:
        return render_all(local, "marts", charts_dir)
    finally:
        local.close()


def _query_hint(engine: str, path: Path, table: str) -> str:
    """How an analyst reads one published table, on each engine."""
    where = {
        "duckdb": f"-- duckdb -readonly {path}\nselect * from {table} limit 10;",
        "postgres": f"-- psql (PGHOST, PGDATABASE...)\nselect * from published.{table} limit 10;",
        "spark": f"-- the folder published/<CURRENT>/{table} (README: Running on Spark)\n"
        f"select * from parquet.`<spark dir>/published/<CURRENT>/{table}` limit 10;",
    }[engine]
    return f"```sql\n{where}\n```"


def build_publish_assets(
    manifest_path: Path | None = None, suites: Mapping[str, Mapping[str, Any]] | None = None
) -> AssetsDefinition:
    """suites: the committed GE suites (read from expectations/ when not given)."""
    models = published_models(manifest_path or dbt_project().manifest_path)
    required = blocking_checks(committed_suites() if suites is None else suites)
    required |= {(AssetKey([node["schema"], name]), FINITE) for name, node in models.items()}
    specs = [
        AssetSpec(
            key=AssetKey([PUBLISHED_SCHEMA, name]),
            deps=[AssetKey([node["schema"], name])],
            description=(
                f"Published copy of `{node['schema']}.{name}`, read-only for analysts in "
                f"the published DuckDB file. {node.get('description', '')}"
            ).strip(),
            group_name=GROUP,
            owners=["team:data"],
            kinds={"duckdb", "python"},
            metadata={"dagster/table_name": f"{PUBLISHED_SCHEMA}.main.{name}"},
            freshness_policy=PUBLISHED_FRESHNESS,
        )
        for name, node in sorted(models.items())
    ]
    sources = {name: f"{node['schema']}.{name}" for name, node in models.items()}

    @multi_asset(
        specs=specs,
        name="publish_marts",
        pool=WAREHOUSE_POOL,
        description="Copy the audited marts into the published file and swap it in.",
    )
    def publish_marts(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        published: PublishedResource,
    ) -> Iterator[MaterializeResult]:
        path = published.resolved_path()
        evaluations = _checks_of_run(context)
        problems = audit(evaluations, required)
        if problems:
            raise Failure(
                description="Not published (the previous version stays): " + "; ".join(problems),
                allow_retries=False,
            )
        # Altair and vl-convert load here, not with the definitions (a third of a second)
        from orchestration.publish.charts import chart_tables

        engine = warehouse.engine_for(path)
        with engine.session() as session:
            rows = session.query("select max(definitions_version) from definitions.agreement")
            local = engine.local_copy(session, chart_tables("marts"))
        passed = sum(1 for e in evaluations if e.passed)
        # volume changes the data team accepted (common-funnel accept-volume-change) and
        # this run's checks did not judge: recorded with the publish, then closed
        accepted = [a for t, a in open_acceptances(published.quality_dir()).items() if t in sources]
        # The charts are drawn (Python and vl-convert) while the engine copies the tables
        # (SQL, outside the GIL); the swap waits for them, and a chart that fails abandons
        # the new version before anyone can read it.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts") as pool:
            drawing = pool.submit(_draw, local, published.charts_dir())
            version = engine.publish(
                PublishRequest(
                    tables=sources,
                    run_id=context.run.run_id,
                    definitions_version=rows[0][0] if rows else None,
                    checks_passed=passed,
                    checks_failed=len(evaluations) - passed,
                    accepted_changes=[asdict(a) for a in accepted],
                    before_swap=drawing.result,
                )
            )
        charts = drawing.result()
        for chart in charts.values():  # the published version's charts, after its swap
            chart.write()
        close_acceptances(published.quality_dir(), {a.table for a in accepted}, version.publish_id)
        # what this version was built from: the next run with nothing new skips the build
        fingerprint = inputs_fingerprint(warehouse.resolved_path(), engine.name)
        if fingerprint is not None:
            record_inputs(warehouse.resolved_path(), version.publish_id, fingerprint)
        context.log.info(
            f"Published {len(sources)} tables to {version.location} ({version.publish_id})"
        )
        for name in sorted(sources):
            metadata: dict[str, Any] = {
                "dagster/row_count": version.row_counts[name],
                "engine": engine.name,
                "published_location": version.location,
                "publish_id": version.publish_id,
                "query": MetadataValue.md(_query_hint(engine.name, path, name)),
            }
            if engine.name == "duckdb":
                metadata["published_file"] = MetadataValue.path(str(path))
            if name in charts:
                metadata["chart"] = MetadataValue.md(charts[name].markdown())
            yield MaterializeResult(asset_key=AssetKey([PUBLISHED_SCHEMA, name]), metadata=metadata)

    return publish_marts

"""The published tables as one Dagster multi-asset: all publish together or none does.

Which tables publish is dbt's decision (`meta.publish` in dbt_project.yml, set for every
mart), read from the manifest, so a new mart is published without touching this file.
The step runs after every upstream step of the run succeeded (a failed dbt build or a
failed blocking check skips it), copies the marts into a new version of the published
file, swaps it in (see store.py), logs the publish, and draws the charts.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DagsterEventType,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.publish.charts import render_all
from orchestration.publish.store import publish
from orchestration.resources import PublishedResource, WarehouseResource
from orchestration.transform.project import dbt_project

PUBLISHED_SCHEMA = "published"
GROUP = "published"


def published_models(manifest_path: Path) -> dict[str, Mapping[str, Any]]:
    """dbt models marked `meta.publish`, by name."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("publish")
    }


def _checks_of_run(context: AssetExecutionContext) -> tuple[int, int]:
    """Asset checks evaluated so far in this run: (passed, failed)."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    passed = failed = 0
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.event_specific_data if event else None
        if isinstance(data, AssetCheckEvaluation):
            passed, failed = (passed + 1, failed) if data.passed else (passed, failed + 1)
    return passed, failed


def build_publish_assets(manifest_path: Path | None = None) -> AssetsDefinition:
    models = published_models(manifest_path or dbt_project().manifest_path)
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
        with warehouse.connect(read_only=True) as con:
            row = con.execute(
                "select max(definitions_version) from definitions.agreement"
            ).fetchone()
        passed, failed = _checks_of_run(context)
        version = publish(
            warehouse.resolved_path(),
            path,
            sources,
            run_id=context.run.run_id,
            definitions_version=row[0] if row else None,
            checks_passed=passed,
            checks_failed=failed,
        )
        context.log.info(f"Published {len(sources)} tables to {path} ({version.publish_id})")
        charts = render_all(path, published.charts_dir())
        for name in sorted(sources):
            metadata: dict[str, Any] = {
                "dagster/row_count": version.row_counts[name],
                "published_file": MetadataValue.path(str(path)),
                "publish_id": version.publish_id,
                "query": MetadataValue.md(
                    f"```sql\n-- duckdb -readonly {path}\nselect * from {name} limit 10;\n```"
                ),
            }
            if name in charts:
                metadata["chart"] = MetadataValue.md(charts[name].markdown())
            yield MaterializeResult(asset_key=AssetKey([PUBLISHED_SCHEMA, name]), metadata=metadata)

    return publish_marts

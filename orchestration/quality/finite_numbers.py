"""No NaN or infinity is ever published: a blocking check on every published table.

The metrics are built never to divide by zero (a `*_null_reason` instead), and ingestion
quarantines non-finite input; this check holds the promise at the gate whatever a future
model does: every DOUBLE or FLOAT column of every table the publish copies must be finite
(or NULL) in every row.

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    Failure,
    MetadataValue,
    multi_asset_check,
)

from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import WarehouseResource
from orchestration.transform.project import dbt_project, published_models

FINITE = "numbers_are_finite"
DEFINITION = "metrics: rates, durations and amounts are finite numbers (never NaN or infinity)"


def build_finite_numbers_check(manifest_path: Path | None = None) -> AssetChecksDefinition:
    models = published_models(manifest_path or dbt_project().manifest_path)
    tables = {
        AssetKey([node["schema"], name]): (node["schema"], name) for name, node in models.items()
    }
    specs = [
        AssetCheckSpec(FINITE, asset=key, blocking=True, description=f"{DEFINITION}.")
        for key in sorted(tables, key=str)
    ]

    @multi_asset_check(specs=specs, name="finite_numbers", pool=WAREHOUSE_POOL)
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        refused = []
        engine = warehouse.engine_for()
        with engine.session() as session:
            for key in sorted(tables, key=str):
                schema, table = tables[key]
                columns = engine.numeric_columns(session, schema, table)
                counts = [
                    session.query(
                        f"select count(*) from {schema}.{table} where {engine.non_finite(c)}"
                    )[0][0]
                    for c in columns
                ]
                bad = {c: n for c, n in zip(columns, counts, strict=True) if n}
                message = (
                    f"{schema}.{table} {FINITE} (definition: {DEFINITION}): observed "
                    + ", ".join(f"{n} non-finite in {c}" for c, n in bad.items())
                    + "; allowed none"
                )
                if bad:
                    refused.append(message)
                yield AssetCheckResult(
                    asset_key=key,
                    check_name=FINITE,
                    passed=not bad,
                    severity=AssetCheckSeverity.ERROR,
                    description=message if bad else f"{len(columns)} numeric columns, finite",
                    metadata={
                        "definition": DEFINITION,
                        "numeric_columns": len(columns),
                        "non_finite": MetadataValue.json(bad),
                    },
                )
        context.log.info(f"finite numbers checked in {len(tables)} tables")
        if refused:
            raise Failure(
                description="Not published: " + " | ".join(refused),
                allow_retries=False,  # bad data is not a transient error
            )

    return _check

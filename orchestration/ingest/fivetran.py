"""Connector-landed systems as observed assets: Fivetran writes them, the pipeline reads.

In `fivetran` mode (settings) a system's tables are not ingested from files: they live in
the Fivetran destination file, which dbt attaches read-only. Each table is still an asset
with the same key (`raw_<system>/<table>`, the dbt source), so lineage reads unbroken from
source to published metric; here it is *observed*: the newest `_fivetran_synced` and the
live row count are its data version, and the check `fivetran_synced_recently` warns when
the connector has not synced within the agreed freshness (`quality.source_freshness_hours`).

No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DataVersion,
    Failure,
    FreshnessPolicy,
    MetadataValue,
    ObserveResult,
    multi_observable_source_asset,
)

from orchestration.common_language.load import DefinitionsError, load_definitions
from orchestration.ingest.contract import Table
from orchestration.resources import DefinitionsFileResource, SourcesResource

FRESH_CHECK = "fivetran_synced_recently"
# Tables only the connector lands (a file export carries their data on another table's
# rows): (system, table it splits off, name, description)
CONNECTOR_ONLY = (
    ("hubspot", "email_event", "email_event_click", "Email clicks with the clicked URL."),
)


def connector_tables(system: str, tables: list[Table]) -> list[Table]:
    """The system's contract tables plus those only the connector lands."""
    by_name = {t.name: t for t in tables}
    extra = [
        replace(by_name[parent], name=name, description=description, columns=())
        for owner, parent, name, description in CONNECTOR_ONLY
        if owner == system and parent in by_name
    ]
    return [*tables, *extra]


def _observe_sql(schema: str, table: str, columns: set[str]) -> str:
    live = ["true"]
    if "_fivetran_deleted" in columns:
        live.append("not coalesce(_fivetran_deleted, false)")
    if "_fivetran_active" in columns:
        live.append("coalesce(_fivetran_active, true)")
    if "is_deleted" in columns:
        live.append("not coalesce(is_deleted, false)")
    return (
        f"select count(*) filter (where {' and '.join(live)}), count(*), "
        f'max(_fivetran_synced) from {schema}."{table}"'
    )


def _freshness_hours(definitions_file: DefinitionsFileResource) -> float | None:
    try:
        path = definitions_file.resolved_path()
        return float(load_definitions(path).definitions.quality.source_freshness_hours)
    except DefinitionsError:
        return None  # the agreed_definitions asset reports the broken file


def build_fivetran_assets(
    system: str, tables: list[Table], freshness_policy: FreshnessPolicy | None = None
) -> AssetsDefinition:
    """One observable asset per table of `system`, observed in one step."""
    specs = [
        AssetSpec(
            key=AssetKey([t.schema, t.name]),
            group_name=t.group,
            owners=[t.owner],
            kinds={"fivetran", "duckdb"},
            description=f"{t.description}\n\nLanded by Fivetran (`{system}` connector) in the"
            " attached destination file; observed, not ingested.",
            freshness_policy=freshness_policy,
        )
        for t in tables
    ]
    checks = [
        AssetCheckSpec(
            FRESH_CHECK,
            asset=spec.key,
            description="The connector synced within the agreed freshness "
            "(definition: quality.source_freshness_hours; warns only).",
        )
        for spec in specs
    ]

    @multi_observable_source_asset(
        specs=specs, check_specs=checks, name=f"observe_fivetran_{system}"
    )
    def _observe(
        context: AssetExecutionContext,
        sources: SourcesResource,
        definitions_file: DefinitionsFileResource,
    ) -> Iterator[ObserveResult | AssetCheckResult]:
        modes = sources.modes()
        path = modes.fivetran_database
        schema = modes.salesforce_schema if system == "salesforce" else modes.hubspot_schema
        if path is None or not Path(path).exists():
            raise Failure(
                description=f"The Fivetran destination file {path} does not exist "
                f"(COMMON_FUNNEL_FIVETRAN_DATABASE); {system} is set to fivetran.",
                allow_retries=False,
            )
        hours = _freshness_hours(definitions_file)
        now = datetime.now(UTC).replace(tzinfo=None)
        con = duckdb.connect(str(path), read_only=True)
        try:
            con.execute("set TimeZone = 'UTC'")
            for table in tables:
                columns = {
                    c
                    for (c,) in con.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = ? and table_name = ?",
                        [schema, table.name],
                    ).fetchall()
                }
                if "_fivetran_synced" not in columns:
                    raise Failure(
                        description=f"{path}: table {schema}.{table.name} is missing or has "
                        "no _fivetran_synced column: is the connector syncing this object?",
                        allow_retries=False,
                    )
                live, landed, synced = con.execute(
                    _observe_sql(schema, table.name, columns)
                ).fetchone()
                synced_utc = synced.replace(tzinfo=None) if synced is not None else None
                key = AssetKey([table.schema, table.name])
                yield ObserveResult(
                    asset_key=key,
                    data_version=DataVersion(f"{synced_utc}|{landed}"),
                    metadata={
                        "dagster/row_count": live,
                        "rows_landed": landed,
                        "rows_deleted_or_inactive": landed - live,
                        "fivetran_synced_max": MetadataValue.text(str(synced_utc)),
                        "fivetran_table": MetadataValue.text(f"{path}:{schema}.{table.name}"),
                    },
                )
                fresh = (
                    hours is not None
                    and synced_utc is not None
                    and synced_utc >= now - timedelta(hours=hours)
                )
                yield AssetCheckResult(
                    asset_key=key,
                    check_name=FRESH_CHECK,
                    passed=fresh,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "fivetran_synced_max": MetadataValue.text(str(synced_utc)),
                        "fresh_after_hours": hours if hours is not None else -1,
                    },
                )
        finally:
            con.close()
        context.log.info(f"observed {len(tables)} {system} tables in {path}:{schema}")

    return _observe

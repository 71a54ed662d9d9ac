"""The sample's CRM and marketing-automation data as Fivetran lands it, in one DuckDB file.

The same journeys as the CSV exports (so the same ground truth), in the shape Fivetran's
Salesforce and HubSpot connectors write to a DuckDB/MotherDuck destination, as Fivetran's
dbt source packages document it:

- one row per record (no repeated exports), system columns `_fivetran_synced` and
  `_fivetran_deleted`; Salesforce `lead` and `opportunity` in history mode (one row per
  version with `_fivetran_start`, `_fivetran_end`, `_fivetran_active`): the early export's
  state is the inactive version;
- soft deletes the pipeline must drop: copies of ~3% of the records of every object that
  has them, half flagged by Salesforce's `is_deleted`, half by `_fivetran_deleted`;
- HubSpot: integer ids; the second contact some persons have is *merged* into the first
  (listed in `property_hs_calculated_merged_vids`, its row still there), and some of the
  person's form submissions name the merged contact; forms carry HubSpot's own form type
  (`HUBSPOT`), submissions no email, campaigns no creation time; the click URL lives in
  `email_event_click`; delivery events (`DELIVERED`) beside the sends;
- timestamps as TIMESTAMP in UTC, or TIMESTAMPTZ for a tz-aware destination (`tz_aware`).

It is built from the exports the generator wrote, read by the real loader (which drops the
planted malformed lines: no truth stands behind them), keeping the latest export only.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.contract import Table, load_contract
from orchestration.ingest.ingest_table import ingest_table
from orchestration.sample.world import EARLY_EXPORT_AT, EXPORT_AT

SYSTEMS = {"salesforce": "salesforce", "hubspot": "hubspot"}  # contract system -> schema
HISTORY_MODE = {"lead", "opportunity"}  # Salesforce objects synced in history mode
NO_IS_DELETED = {"user", "user_role"}  # Salesforce objects without IsDeleted
LINEAGE = ("_extra_columns", "_source_file", "_source_line", "_file_sha256", "_loaded_at")
DELETED_EVERY = 33  # one record in ~33 gets a soft-deleted copy
SYNCED = EXPORT_AT.replace(tzinfo=None)
EARLY_SYNCED = EARLY_EXPORT_AT.replace(tzinfo=None)


@dataclass(frozen=True)
class FivetranSample:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows (deleted and inactive rows included)


def write_fivetran_database(
    landing_dir: Path, path: Path, tz_aware: bool = False
) -> FivetranSample:
    """Write `path` (replaced) from the Salesforce and HubSpot exports in `landing_dir`."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("set TimeZone = 'UTC'")
        with tempfile.TemporaryDirectory() as scratch:
            tables = [t for t in load_contract() if t.system in SYSTEMS]
            for table in tables:
                ingest_table(con, table, landing_dir, Path(scratch), run_id="fivetran-shape")
        for schema in SYSTEMS.values():
            con.execute(f"create schema {schema}")
        for table in tables:
            _connector_table(con, table)
        _salesforce_soft_deletes(con)
        _hubspot_shape(con)
        for table in tables:
            con.execute(f"drop table {table.qualified_name}")
        for schema in {t.schema for t in tables}:
            con.execute(f"drop schema {schema} cascade")
        con.execute("drop schema if exists ingest cascade")
        if tz_aware:
            _timestamps_with_time_zone(con)
        counts = {
            f"{schema}.{name}": con.execute(f"select count(*) from {schema}.{name}").fetchone()[0]
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('salesforce', 'hubspot') order by all"
            ).fetchall()
        }
        con.execute("checkpoint")
    finally:
        con.close()
    return FivetranSample(path, counts)


def _connector_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """The contract's columns of the latest export (every version, in history mode)."""
    target = f"{SYSTEMS[table.system]}.{table.name}"
    columns = ", ".join(c.name for c in table.columns)
    latest = f"(select max(_source_file) from {table.qualified_name})"
    if table.name in HISTORY_MODE:
        # one row per export a record appears in; the latest export's row is active
        con.execute(
            f"""
            create table {target} as
            with versions as (
                select {columns},
                    case when _source_file = {latest} then ?::timestamp else ?::timestamp end
                        as _fivetran_start
                from {table.qualified_name}
            )
            select *,
                coalesce(
                    lead(_fivetran_start) over (partition by id order by _fivetran_start)
                        - interval 1 millisecond,
                    timestamp '9999-12-31 23:59:59.999'
                ) as _fivetran_end,
                lead(_fivetran_start) over (partition by id order by _fivetran_start) is null
                    as _fivetran_active,
                _fivetran_start as _fivetran_synced,
                false as _fivetran_deleted
            from versions
            """,
            [SYNCED, EARLY_SYNCED],
        )
    else:
        con.execute(
            f"""
            create table {target} as
            select {columns}, ?::timestamp as _fivetran_synced, false as _fivetran_deleted
            from {table.qualified_name}
            where _source_file = {latest}
            """,
            [SYNCED],
        )
    names = {c.name for c in table.columns}
    if table.system == "salesforce" and table.name not in NO_IS_DELETED:
        # every Salesforce object but users and roles has IsDeleted, exported or not
        con.execute(f"alter table {target} add column if not exists is_deleted boolean")
        con.execute(f"update {target} set is_deleted = coalesce(is_deleted, false)")
    if "last_modified_date" in names:
        con.execute(f"alter table {target} add column system_modstamp timestamp")
        con.execute(f"update {target} set system_modstamp = last_modified_date")


def _salesforce_soft_deletes(con: duckdb.DuckDBPyConnection) -> None:
    """Copies of some records, deleted: in Salesforce's recycle bin (`is_deleted`) or gone
    from Salesforce (`_fivetran_deleted`). A pipeline that keeps them counts them twice."""
    for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'salesforce' "
        "order by 1"
    ).fetchall():
        if name in NO_IS_DELETED:
            continue
        columns = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'salesforce' and table_name = ?",
                [name],
            ).fetchall()
        }
        active = "and _fivetran_active" if "_fivetran_active" in columns else ""
        flags = (  # half in the recycle bin, half gone from Salesforce
            "hash(id) % 2 = 0 as is_deleted, hash(id) % 2 = 1 as _fivetran_deleted"
            if "is_deleted" in columns
            else "true as _fivetran_deleted"
        )
        target = f'salesforce."{name}"'
        con.execute(
            f"""
            insert into {target}
            select * replace (id || 'DEL' as id, {flags})
            from {target}
            where hash(id) % {DELETED_EVERY} = 0 {active}
            """
        )


def _hubspot_shape(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create or replace table hubspot.contact as
        select * replace (cast(id as bigint) as id) from hubspot.contact;
        -- a person's second contact (the generator numbers it 9,000,000 + the person's
        -- index; the first is 5,000,000 + index) was merged into the first
        update hubspot.contact as survivor
        set property_hs_calculated_merged_vids =
            twin.id || ':' || epoch_ms(twin.property_createdate)
        from hubspot.contact as twin
        where twin.id >= 9000000 and survivor.id = twin.id - 4000000;
        insert into hubspot.contact
        select * replace (id + 100000000 as id, true as _fivetran_deleted)
        from hubspot.contact where hash(id) % 33 = 0;

        create or replace table hubspot.form as
        select guid, name, 'HUBSPOT' as form_type, created_at, created_at as updated_at,
            cast(12345 as bigint) as portal_id, _fivetran_synced, _fivetran_deleted
        from hubspot.form;

        -- submissions name their contact (no email); a person with a merged contact has
        -- every other submission under the merged contact's id
        create or replace table hubspot.contact_form_submission as
        select
            conversion_id,
            case
                when hash(conversion_id) % 2 = 0
                    and exists (
                        select 1 from hubspot.contact as c
                        where c.id = cast(s.contact_id as bigint) + 4000000
                    )
                then cast(s.contact_id as bigint) + 4000000
                else cast(s.contact_id as bigint)
            end as contact_id,
            form_id, page_url, "timestamp", cast(null as varchar) as page_id,
            cast(null as varchar) as title, cast(12345 as bigint) as portal_id,
            _fivetran_synced
        from hubspot.contact_form_submission as s;

        create or replace table hubspot.email_campaign as
        select cast(id as bigint) as id, cast(1 as bigint) as app_id, 'Batch' as app_name,
            cast(id as bigint) + 7000 as content_id, name, cast(null as bigint) as num_included,
            subject, type as sub_type, type, _fivetran_synced
        from hubspot.email_campaign;

        create table hubspot.email_event_click as
        select id, url, 'Chrome' as browser, cast(null as varchar) as ip_address,
            cast(null as varchar) as location, cast(null as varchar) as referer,
            cast(null as varchar) as user_agent, _fivetran_synced
        from hubspot.email_event where type = 'CLICK';
        create table hubspot.email_event_open as
        select id, 'Chrome' as browser, cast(null as varchar) as ip_address,
            cast(null as varchar) as location, cast(null as varchar) as user_agent,
            cast(null as bigint) as duration, _fivetran_synced
        from hubspot.email_event where type = 'OPEN';
        create table hubspot.email_event_sent as
        select id, 'marketing@common-funnel.example' as "from", cast(null as varchar) as bcc,
            cast(null as varchar) as cc, cast(null as varchar) as reply_to,
            cast(null as varchar) as subject, _fivetran_synced
        from hubspot.email_event where type = 'SENT';

        -- every send was delivered a minute later: an event type that is no touch
        create or replace table hubspot.email_event as
        with shaped as (
            select id, type, recipient, cast(email_campaign_id as bigint) as email_campaign_id,
                created, cast(1 as bigint) as app_id, cast(12345 as bigint) as portal_id,
                cast(null as varchar) as sent_by_id, cast(null as timestamp) as sent_by_created,
                false as filtered_event, _fivetran_synced
            from hubspot.email_event
        )
        select * from shaped
        union all
        select * replace (id || '-d' as id, 'DELIVERED' as type,
            created + interval 1 minute as created)
        from shaped where type = 'SENT';
        """
    )


def _timestamps_with_time_zone(con: duckdb.DuckDBPyConnection) -> None:
    """A tz-aware destination: every timestamp column as TIMESTAMPTZ (same instants)."""
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'TIMESTAMP' and table_schema in ('salesforce', 'hubspot') "
        "order by all"
    ).fetchall():
        con.execute(
            f'alter table {schema}."{table}" alter column "{column}" '
            f"set data type timestamptz using timezone('UTC', \"{column}\")"
        )

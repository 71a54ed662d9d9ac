"""A hand-made Fivetran destination, built by dbt: what staging keeps, computed by hand.

Salesforce `lead` in history mode with TIMESTAMPTZ columns (a tz-aware destination), a
record in the recycle bin (`is_deleted`), one gone from Salesforce (`_fivetran_deleted`),
and the org's custom rejection field. dbt runs with the process in Asia/Tokyo, where a
naive cast of a TIMESTAMPTZ would move every time by nine hours.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb

from orchestration.settings import TELEMETRY_OFF
from orchestration.transform.project import DBT_PROJECT_DIR, dbt_executable

LEAD_COLUMNS = """
    id varchar, first_name varchar, last_name varchar, email varchar, company varchar,
    title varchar, industry varchar, number_of_employees integer, lead_source varchar,
    status varchar, rejection_reason_c varchar, owner_id varchar, is_converted boolean,
    converted_date date, converted_account_id varchar, converted_contact_id varchar,
    converted_opportunity_id varchar, is_deleted boolean, created_date timestamptz,
    last_modified_date timestamptz, system_modstamp timestamptz, _fivetran_synced timestamptz,
    _fivetran_deleted boolean, _fivetran_start timestamptz, _fivetran_end timestamptz,
    _fivetran_active boolean
"""
# (id, status, rejection, is_deleted, created (JST), modified (JST), fivetran_deleted, active)
LEADS = [
    (
        "L1",
        "Open - Not Contacted",
        None,
        False,
        "2026-03-31 23:30",
        "2026-03-31 23:30",
        False,
        False,
    ),
    ("L1", "Working - Contacted", None, False, "2026-03-31 23:30", "2026-04-02 10:00", False, True),
    ("L2", "Open - Not Contacted", None, True, "2026-04-01 09:00", "2026-04-03 09:00", False, True),
    ("L3", "Open - Not Contacted", None, False, "2026-04-01 09:00", "2026-04-03 09:00", True, True),
    ("L4", "Nurture", "No budget", False, "2026-04-05 08:15", "2026-04-06 18:00", False, True),
]


def _fivetran_file(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("set TimeZone = 'UTC'")
    con.execute("create schema crm")  # a schema name of the team's own choosing
    con.execute(f"create table crm.lead ({LEAD_COLUMNS})")
    for lead_id, status, reason, deleted, created, modified, gone, active in LEADS:
        con.execute(
            """
            insert into crm.lead (id, last_name, first_name, email, company, status,
                rejection_reason_c, is_deleted, created_date, last_modified_date,
                _fivetran_synced, _fivetran_deleted, _fivetran_active)
            values (?, '佐藤', '太郎', ?, 'さくら工業', ?, ?, ?,
                cast(? || '+09:00' as timestamptz), cast(? || '+09:00' as timestamptz),
                now(), ?, ?)
            """,
            [
                lead_id,
                f"{lead_id.lower()}@sakura.co.jp",
                status,
                reason,
                deleted,
                created,
                modified,
                gone,
                active,
            ],
        )
    con.close()


def test_staging_keeps_the_live_active_version_in_utc(tmp_path: Path):
    fivetran = tmp_path / "fivetran.duckdb"
    warehouse = tmp_path / "warehouse.duckdb"
    _fivetran_file(fivetran)
    env = {
        **os.environ,
        **TELEMETRY_OFF,
        "TZ": "Asia/Tokyo",
        "COMMON_FUNNEL_WAREHOUSE": str(warehouse),
        "COMMON_FUNNEL_SALESFORCE_SOURCE": "fivetran",
        "COMMON_FUNNEL_HUBSPOT_SOURCE": "files",
        "COMMON_FUNNEL_FIVETRAN_DATABASE": str(fivetran),
        "COMMON_FUNNEL_SALESFORCE_SCHEMA": "crm",
    }
    completed = subprocess.run(
        [
            dbt_executable(),
            "run",
            "--select",
            "stg_salesforce__leads",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute(f"attach '{fivetran}' as fivetran (read_only)")
    con.execute("set TimeZone = 'Asia/Tokyo'")
    rows = con.execute(
        "select lead_id, lead_status, rejection_reason, cast(created_at as varchar), "
        "cast(last_modified_at as varchar), typeof(created_at) "
        "from staging.stg_salesforce__leads order by lead_id"
    ).fetchall()
    # by hand: L1's active version; L2 and L3 are deleted; JST 23:30 on 31 March is
    # 14:30 UTC the same day, 08:15 on 5 April is 23:15 UTC on the 4th
    assert rows == [
        (
            "L1",
            "Working - Contacted",
            None,
            "2026-03-31 14:30:00",
            "2026-04-02 01:00:00",
            "TIMESTAMP",
        ),
        ("L4", "Nurture", "No budget", "2026-04-04 23:15:00", "2026-04-06 09:00:00", "TIMESTAMP"),
    ]

"""The published layer carries no direct identifier, on every engine (README "Privacy").

One list of the identifiers the sources hold and one judgement of column names, used by
the DuckDB publish tests and by the PostgreSQL and Spark engine tests."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from tests.engine_equality import Table

# Published columns whose name says name, mail, phone or address, and why each may be
# there: none of them identifies a person. A new one fails here until it is judged.
NAME_LIKE_COLUMNS_ALLOWED = {
    "opportunity_name": "the deal's name in the CRM (company and project)",
    "stage_name": "an opportunity stage of the CRM picklist",
    "previous_stage_name": "an opportunity stage of the CRM picklist",
    "current_stage_name": "an opportunity stage of the CRM picklist",
}
IDENTIFIER_LIKE = r"name|mail|phone|tel|addr|birth|kana"

# persons' emails and names (the restricted model), their phone numbers (event lists and
# cards) and the CRM users' names and emails; `{db}` is the warehouse's catalog prefix
IDENTIFIERS_SQL = """
    select email as value from {db}restricted.dim_person_identifiers
    union select full_name from {db}restricted.dim_person_identifiers
    union select phone from {db}raw_events.event_attendee
    union select phone from {db}raw_events.business_card
    union select name from {db}raw_salesforce.user
    union select email from {db}raw_salesforce.user
"""


def identifiers(warehouse: Path) -> set[str]:
    """Every identifier a DuckDB warehouse (a reference build) holds."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(IDENTIFIERS_SQL.format(db="")).fetchall()
    finally:
        con.close()
    return {value for (value,) in rows if value}


def identifier_like_columns(tables: dict[str, Table]) -> set[str]:
    return {
        column
        for table in tables.values()
        for column in table.columns
        if re.search(IDENTIFIER_LIKE, column)
    }


def leaks(tables: dict[str, Table], known: set[str]) -> dict[str, int]:
    """Per `table.column`, the text values that are a known identifier or hold an @."""
    found: dict[str, int] = {}
    for name, table in tables.items():
        for index, column in enumerate(table.columns):
            hits = sum(
                1
                for row in table.rows
                if isinstance(row[index], str) and (row[index] in known or "@" in row[index])
            )
            if hits:
                found[f"{name}.{column}"] = hits
    return found

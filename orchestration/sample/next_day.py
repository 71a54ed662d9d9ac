"""A day of new and changed records, landed beside a sample (the benchmark's third run).

The CRM and the marketing automation export full snapshots; the form submissions are an
append-only log. For the next day, each snapshot table gets a new export: the latest
export's rows, a share of them changed (their last-modified time set to the new day), and
a share of new records (copies of existing ones under a new id and email). The form log
gets a file of new submissions only. Which rows change or are copied is a hash of their id
and the day: the same landing zone and day give the same files (with the same DuckDB).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.ingest.loader import sql_literal

# folder, file prefix, id header, last-modified header (None: append-only), email header
SNAPSHOTS = (
    ("salesforce/Lead", "Lead", "Id", "LastModifiedDate", "Email"),
    ("salesforce/Contact", "Contact", "Id", "LastModifiedDate", "Email"),
    ("salesforce/Opportunity", "Opportunity", "Id", "LastModifiedDate", None),
    ("hubspot/contacts", "contacts", "Record ID", "Last Modified Date", "Email"),
)
APPEND_ONLY = (("hubspot/form_submissions", "form_submissions", "Conversion ID", "Email"),)
# A new record is a new arrival, not a copy of the old one's history: a new lead is open
# and unconverted (a copy still pointing at the original's opportunity would give that
# opportunity two leads, which no CRM does).
FRESH_VALUES: dict[str, dict[str, str | None]] = {
    "salesforce/Lead": {
        "Status": "Open - Not Contacted",
        "Rejection_Reason__c": None,
        "IsConverted": "false",
        "ConvertedDate": None,
        "ConvertedAccountId": None,
        "ConvertedContactId": None,
        "ConvertedOpportunityId": None,
    },
}


@dataclass(frozen=True)
class DayWritten:
    files: list[Path]
    changed: int
    new: int


def _picked(id_header: str, day: date, salt: str, share: float) -> str:
    """SQL: the row is picked (share of rows, by a hash of its id, the day and the salt)."""
    basis = f"\"{id_header}\" || '{day:%Y%m%d}{salt}'"
    return f"(hash({basis}) % 10000) < {round(share * 10000)}"


def _timestamp(sample: str, day: date) -> str:
    """The new day's last-modified value, written like the export writes them."""
    if "T" in sample:
        return f"{day:%Y-%m-%d}T00:30:00.000Z"
    return f"{day:%Y-%m-%d} 09:30:00"


def _exported(path: Path) -> str:
    """SQL reading an export as it was written: the dialect said, not sniffed (a sniffer
    that samples a large file's first rows may miss its quotes), every value as text, a
    planted defect row (a field too many) kept as far as it goes."""
    return (
        f"read_csv({sql_literal(str(path))}, header = true, all_varchar = true,"
        " delim = ',', quote = '\"', escape = '\"', strict_mode = false, null_padding = true)"
    )


def _latest(folder: Path, prefix: str) -> Path | None:
    files = sorted(folder.glob(f"{prefix}_*.csv"))
    return files[-1] if files else None


def _new_identity(id_header: str, email: str | None, day: date, folder: str = "") -> str:
    tag = f"{day:%Y%m%d}"
    replace = [f'"{id_header}" || \'N{tag}\' as "{id_header}"']
    replace += [
        f'{"null" if value is None else sql_literal(value)} as "{header}"'
        for header, value in FRESH_VALUES.get(folder, {}).items()
    ]
    if email:
        replace.append(
            f'case when "{email}" like \'%@%\' then \'n{tag}.\' || "{email}" end as "{email}"'
        )
    return ", ".join(replace)


def write_next_day(landing: Path, day: date, share: float = 0.01) -> DayWritten:
    """Land the day's exports; returns the files written and how many rows changed/new."""
    con = duckdb.connect()
    written: list[Path] = []
    changed = new = 0
    try:
        for folder, prefix, id_header, modified, email in SNAPSHOTS:
            latest = _latest(landing / folder, prefix)
            if latest is None:
                continue
            source = _exported(latest)
            sample = con.execute(f'select max("{modified}") from {source}').fetchone()
            stamp = sql_literal(_timestamp(str(sample[0] if sample else ""), day))
            changes = _picked(id_header, day, "c", share)
            additions = _picked(id_header, day, "n", share)
            target = landing / folder / f"{prefix}_{day:%Y%m%d}.csv"
            con.execute(
                f"""
                copy (
                    select * replace (case when {changes} then {stamp}
                        else "{modified}" end as "{modified}")
                    from {source}
                    union all
                    select * replace ({_new_identity(id_header, email, day, folder)},
                        {stamp} as "{modified}")
                    from {source} where {additions}
                ) to {sql_literal(str(target))} (header, delimiter ',')
                """
            )
            counted = con.execute(
                f"select count(*) filter (where {changes}), count(*) filter (where {additions})"
                f" from {source}"
            ).fetchone()
            changed += int(counted[0]) if counted else 0
            new += int(counted[1]) if counted else 0
            written.append(target)
        for folder, prefix, id_header, email in APPEND_ONLY:
            latest = _latest(landing / folder, prefix)
            if latest is None:
                continue
            source = _exported(latest)
            additions = _picked(id_header, day, "n", share)
            target = landing / folder / f"{prefix}_{day:%Y%m%d}.csv"
            con.execute(
                f"""
                copy (
                    select * replace ({_new_identity(id_header, email, day)})
                    from {source} where {additions}
                ) to {sql_literal(str(target))} (header, delimiter ',')
                """
            )
            counted = con.execute(f"select count(*) from {source} where {additions}").fetchone()
            new += int(counted[0]) if counted else 0
            written.append(target)
    finally:
        con.close()
    return DayWritten(written, changed, new)

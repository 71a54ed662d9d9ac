"""Render the landing contract as Markdown, so people read what the code enforces."""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.contract import LINEAGE_COLUMNS, load_contract

CONTRACT_DOC_PATH = Path(__file__).with_name("landing_contract.md")

INTRO = """# Landing contract

Generated from `contracts.yaml` by `common-funnel contract-doc`; a test fails when the two
drift. Drop each export as a CSV file into `<landing root>/<folder>/` (default landing root:
`data/landing`, or `COMMON_FUNNEL_LANDING_DIR`). Any file name matching the pattern works;
files load in name order, each once (by SHA-256: a re-landed identical file is recorded in
`ingest.duplicate_files` and not loaded again).

Rules for every file:
- comma-separated, `"` quoting (RFC 4180), one header row, lines ending in LF or CRLF;
  encodings as listed (a UTF-8 byte-order mark is accepted everywhere, CP932 files are
  decoded strictly, and a CP932 table's file that is valid UTF-8 throughout is read as
  UTF-8: `ingest.file_loads.encoding` says which); a file separated by semicolons or
  tabs, with lines ending in CR alone (Excel for Mac's "CSV (Macintosh)") or in UTF-16
  is refused, saying which;
- a file's name matches its table's pattern ignoring case (`Account.CSV` too); hidden
  files (`.name`) and other names are not read and are listed as ignored;
- a missing **required** column refuses the whole file (`ingest.file_failures`, and the
  asset fails naming the file and the column); columns the contract does not know are kept
  in `_extra_columns` (JSON) and reported, never dropped;
- a record whose **key** is empty, whose value does not fit its type, whose field count
  is wrong, or with a NUL character (U+0000, which PostgreSQL cannot store) in a value is
  quarantined in `ingest.rejected_rows` with file, line and reason; a record listed twice
  in one file with different values: the later line is the current copy;
- every file is reconciled: an independent count of its records = rows loaded + rows
  unchanged (a record version stored already, not stored twice) + rows rejected
  (`ingest.file_loads`), or the file is refused;
- timestamps are stored in UTC; those written without offset are read in the zone listed.

Every raw row also carries """


def render_contract_doc() -> str:
    lines = [INTRO + ", ".join(f"`{c}`" for c in LINEAGE_COLUMNS) + ".", ""]
    for table in load_contract():
        lines += [
            f"## `{table.qualified_name}`",
            "",
            f"{table.description}",
            "",
            f"- folder: `{table.folder}/`, pattern `{table.pattern}`, encoding `{table.encoding}`",
            f"- owner: `{table.owner}`, Dagster group `{table.group}`",
            "",
            "| header in file | column | type | required | key | format / zone |",
            "|---|---|---|---|---|---|",
        ]
        for c in table.columns:
            zone = " ".join(x for x in (c.format or "", c.timezone or "") if x)
            lines.append(
                f"| {c.header} | `{c.name}` | {c.type} | {'yes' if c.required else 'no'}"
                f" | {'yes' if c.key else ''} | {zone.replace('|', '/')} |"
            )
        lines.append("")
    return "\n".join(lines)

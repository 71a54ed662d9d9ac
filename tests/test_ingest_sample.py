"""The generated sample lands completely: every record accounted for, through Dagster."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from orchestration.ingest.contract import load_contract
from tests.conftest import Ingested, manifest, run_ingest


def python_records(path: Path, encoding: str) -> list[list[str]]:
    with path.open(
        encoding="utf-8-sig" if encoding.startswith("utf-8") else encoding, newline=""
    ) as handle:
        return [row for row in csv.reader(handle) if row][1:]


def test_every_asset_materialized_with_counts(ingested: Ingested) -> None:
    assert ingested.result.success
    events = ingested.result.get_asset_materialization_events()
    assert {tuple(e.asset_key.path) for e in events} == {
        (t.schema, t.name) for t in load_contract()
    }
    by_table = {
        row[0]: row[1:]
        for row in ingested.query(
            "select table_name, sum(rows_read), sum(rows_loaded), sum(rows_unchanged),"
            " sum(rows_rejected) from ingest.file_loads group by 1"
        )
    }
    for event in events:
        metadata = {k: v.value for k, v in event.materialization.metadata.items()}
        name = ".".join(event.asset_key.path)
        counts = by_table.get(name, (0, 0, 0, 0))
        assert tuple(
            metadata[k] for k in ("rows_read", "rows_loaded", "rows_unchanged", "rows_rejected")
        ) == tuple(counts)
        assert metadata["dagster/row_count"] == ingested.query(f"select count(*) from {name}")[0][0]


def test_every_file_reconciles_with_an_independent_count(ingested: Ingested) -> None:
    loads = {
        row[0]: row[1:]
        for row in ingested.query(
            "select source_file, rows_read, rows_loaded, rows_unchanged, rows_rejected"
            " from ingest.file_loads"
        )
    }
    expected = manifest(ingested.sample)
    assert set(loads) == {m["source_file"] for m in expected}
    unchanged = python_unchanged_records(ingested.sample.landing_dir, expected)
    assert sum(unchanged.values()) > 100  # the sample repeats full exports
    for entry in expected:
        read, loaded, same, rejected = loads[entry["source_file"]]
        path = ingested.sample.landing_dir / entry["source_file"]
        assert read == int(entry["records"]) == len(python_records(path, entry["encoding"]))
        assert rejected == int(entry["defect_records"])
        assert same == unchanged[entry["source_file"]], entry["source_file"]
        assert read == loaded + same + rejected
    # each record version is stored once: the raw tables hold exactly the loaded rows
    for table in load_contract():
        stored = ingested.query(f"select count(*) from {table.qualified_name}")[0][0]
        loaded = ingested.query(
            "select coalesce(sum(rows_loaded), 0) from ingest.file_loads where table_name = ?",
            [table.qualified_name],
        )[0][0]
        assert stored == loaded, table.qualified_name


def python_unchanged_records(landing: Path, files: list[dict[str, str]]) -> dict[str, int]:
    """Per file, the accepted records whose every field repeats a record that an earlier
    file of the same table (in name order), or an earlier line of the same file, held:
    counted with Python's csv module over the text, the generator writing each value one
    way."""
    seen: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    counts: dict[str, int] = {}
    for entry in sorted(files, key=lambda e: e["source_file"]):
        path = landing / entry["source_file"]
        header = python_records_header(path, entry["encoding"])
        defects = {int(line) for line in entry["defect_lines"].split(";") if line}
        versions = seen.setdefault(path.parent.as_posix(), set())
        counts[entry["source_file"]] = 0
        for number, record in enumerate(python_records(path, entry["encoding"]), start=2):
            if number in defects:
                continue
            version = tuple(
                sorted(zip((h.strip().casefold() for h in header), record, strict=True))
            )
            counts[entry["source_file"]] += version in versions
            versions.add(version)
    return counts


def test_rejected_rows_are_exactly_the_planted_defects(ingested: Ingested) -> None:
    rejected = {
        (row[0], row[1])
        for row in ingested.query("select source_file, line from ingest.rejected_rows")
    }
    planted = {
        (m["source_file"], int(line))
        for m in manifest(ingested.sample)
        for line in m["defect_lines"].split(";")
        if line
    }
    assert planted and rejected == planted
    reasons = [r[0] for r in ingested.query("select reason from ingest.rejected_rows")]
    assert all(reason.strip() for reason in reasons)
    assert any("cannot read" in r for r in reasons) and any("empty key" in r for r in reasons)
    assert any("TOO MANY COLUMNS" in r for r in reasons)


def test_source_line_points_at_the_record(ingested: Ingested) -> None:
    for table in load_contract():
        key = next(c for c in table.columns if c.key)
        rows = ingested.query(
            f"select _source_file, _source_line, {key.name} from {table.qualified_name}"
        )
        files: dict[str, list[list[str]]] = {}
        for source_file, line, value in rows:
            if source_file not in files:
                records = python_records(ingested.sample.landing_dir / source_file, table.encoding)
                header = python_records_header(
                    ingested.sample.landing_dir / source_file, table.encoding
                )
                files[source_file] = [r[header.index(key.header)] for r in records]
            # no field spans lines in the sample, so line = record number + 1
            assert files[source_file][line - 2] == value, (source_file, line)


def python_records_header(path: Path, encoding: str) -> list[str]:
    with path.open(
        encoding="utf-8-sig" if encoding.startswith("utf-8") else encoding, newline=""
    ) as handle:
        return next(csv.reader(handle))


def test_lineage_columns_are_filled(ingested: Ingested) -> None:
    for table in load_contract():
        missing = ingested.query(
            f"select count(*) from {table.qualified_name} where _source_file is null"
            " or _source_line is null or _file_sha256 is null or _loaded_at is null"
        )[0][0]
        assert missing == 0


def test_japanese_text_survives_cp932_and_bom(ingested: Ingested) -> None:
    text = " ".join(
        r[0]
        for r in ingested.query(
            "select string_agg(company_name || full_name, ' ') from raw_events.business_card"
            " union all select string_agg(exchange_place, ' ') from raw_events.business_card"
            " union all select string_agg(company_name || full_name, ' ')"
            " from raw_target_lists.target_account"
        )
    )
    assert "\ufffd" not in text
    for character in ("㈱", "①", "髙", "株式会社"):
        assert character in text
    header_ok = ingested.query(
        "select count(*) from raw_target_lists.target_account where list_row_id like 'TL%'"
    )[0][0]
    assert header_ok > 0  # the BOM did not corrupt the first header name


def test_local_times_are_stored_in_utc(ingested: Ingested) -> None:
    # 開催日 is a date; 登録日時 is JST: a 09:00 JST registration is 00:00 UTC.
    sample_row = ingested.query(
        "select _source_file, _source_line, registered_at from raw_events.business_card limit 1"
    )[0]
    path = ingested.sample.landing_dir / sample_row[0]
    header = python_records_header(path, "cp932")
    record = python_records(path, "cp932")[sample_row[1] - 2]
    local = record[header.index("登録日時")]
    from datetime import datetime, timedelta

    assert datetime.strptime(local, "%Y/%m/%d %H:%M") - timedelta(hours=9) == sample_row[2]


def test_rerun_and_relanded_copies_change_nothing(ingested: Ingested, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(ingested.warehouse, warehouse)
    landing = tmp_path / "landing"
    shutil.copytree(ingested.sample.landing_dir, landing)
    lead = landing / "salesforce/Lead/Lead_20261001.csv"
    shutil.copy(lead, lead.with_name("Lead_20261001_resent.csv"))
    before = Ingested(ingested.sample, warehouse, ingested.result)
    counts = [
        before.query(f"select count(*) from {t.qualified_name}")[0][0] for t in load_contract()
    ]
    loads = before.query("select * from ingest.file_loads order by all")

    for _ in range(2):
        result = run_ingest(landing, warehouse)
        assert result.success
    after = [
        before.query(f"select count(*) from {t.qualified_name}")[0][0] for t in load_contract()
    ]
    assert after == counts
    assert before.query("select * from ingest.file_loads order by all") == loads
    assert before.query("select source_file, duplicate_of from ingest.duplicate_files") == [
        ("salesforce/Lead/Lead_20261001_resent.csv", "salesforce/Lead/Lead_20261001.csv")
    ]

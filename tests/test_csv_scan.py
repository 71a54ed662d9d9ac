"""The independent record counter agrees with Python's csv module and DuckDB's line numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.ingest import csv_scan
from orchestration.ingest.csv_scan import scan_csv

field = st.text(alphabet=st.sampled_from(list('ab,"\n\r ㈱①髙')), max_size=6)
rows = st.lists(st.lists(field, min_size=2, max_size=2), max_size=12)


def write_csv(path: Path, records: list[list[str]], terminator: str, quoting: int) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=terminator, quoting=quoting)
    writer.writerow(["a", "b"])
    writer.writerows(records)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def python_count(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for row in csv.reader(handle) if row) - 1


@settings(max_examples=150, deadline=None)
@given(
    records=rows,
    terminator=st.sampled_from(["\n", "\r\n"]),
    chunk=st.sampled_from([1, 3, 7, 4096]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_count_matches_python_csv_at_any_chunk_size(
    tmp_path_factory: pytest.TempPathFactory,
    records: list[list[str]],
    terminator: str,
    chunk: int,
    quoting: int,
) -> None:
    if quoting == csv.QUOTE_MINIMAL:
        # Python leaves a lone CR unquoted, which no reader can tell from a line end.
        records = [[value.replace("\r", "") for value in r] for r in records]
    records = [r for r in records if r != ["", ""] or quoting == csv.QUOTE_ALL]
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    write_csv(path, records, terminator, quoting)
    original = csv_scan.CHUNK_BYTES
    csv_scan.CHUNK_BYTES = chunk
    try:
        scan = scan_csv(path)
    finally:
        csv_scan.CHUNK_BYTES = original
    assert scan.records == python_count(path) == len(records)
    assert scan.bytes_read == path.stat().st_size


@pytest.mark.parametrize(
    ("content", "expected_lines"),
    [
        (b"a,b\n1,2\n3,4\n", [2, 3]),
        (b"a,b\n1,2\n\n\n3,4\n", [2, 5]),
        (b"a,b\r\n1,2\r\n\r\n3,4", [2, 4]),
        (b'a,b\n1,"x\ny"\n3,4\n', [2, 3]),
        (b"a,b\n", []),
        (b"", []),
        (b'a,b\n1,"open\n2,3\n', [2]),
    ],
)
def test_record_lines(tmp_path: Path, content: bytes, expected_lines: list[int]) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert scan_csv(path).record_lines.tolist() == expected_lines


def test_lines_agree_with_duckdb_reject_numbering(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\n1,"x\ny"\n\n2,3,4\n5,6\n7\n')
    con = duckdb.connect()
    con.execute(
        f"select * from read_csv('{path}', header=true, auto_detect=false,"
        " columns={'a':'varchar','b':'varchar'}, store_rejects=true)"
    ).fetchall()
    rejected = sorted(r[0] for r in con.execute("select line from reject_errors").fetchall())
    lines = scan_csv(path).record_lines.tolist()
    assert rejected == [4, 6]
    assert set(rejected) <= set(lines)
    assert lines == [2, 4, 5, 6]

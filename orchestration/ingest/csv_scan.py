"""An independent count of the records in a CSV file, and the line each one starts on.

DuckDB parses the file for loading; this module counts it a second, simpler way so the
two can be reconciled (read = loaded + rejected). It follows RFC 4180 quoting: a line
break ends a record unless an odd number of double quotes precedes it; blank lines are not
records. Line numbers count those record-ending line breaks (a line break inside a quoted
field does not advance them), which is how DuckDB numbers lines in its reject tables and
how a spreadsheet numbers rows when no field spans several lines.

Works on raw bytes with NumPy in fixed-size chunks, so memory stays flat for any file size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK_BYTES = 32 * 1024 * 1024
QUOTE, NEWLINE, CARRIAGE_RETURN = 34, 10, 13


@dataclass(frozen=True)
class CsvScan:
    """`record_lines[i]` is the line on which data record i starts (header = line 1)."""

    record_lines: np.ndarray
    bytes_read: int

    @property
    def records(self) -> int:
        return int(self.record_lines.size)


def scan_csv(path: Path) -> CsvScan:
    """Count records (header excluded) and locate their first lines."""
    record_starts: list[np.ndarray] = []
    quotes_before = 0  # quote parity carried across chunks
    terminators_before = 0  # record-ending line breaks seen so far
    segment_start = 0  # global offset where the current, unfinished segment began
    previous_byte = -1
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            data = np.frombuffer(chunk, dtype=np.uint8)
            quote_positions = np.flatnonzero(data == QUOTE)
            newline_positions = np.flatnonzero(data == NEWLINE)
            quotes_at = np.searchsorted(quote_positions, newline_positions) + quotes_before
            ends = newline_positions[(quotes_at % 2) == 0]
            if ends.size:
                ends_global = ends + offset
                begins_global = np.concatenate(([segment_start], ends_global[:-1] + 1))
                lengths = ends_global - begins_global
                before_end = np.where(ends > 0, data[np.maximum(ends - 1, 0)], previous_byte)
                blank = (lengths == 0) | ((lengths == 1) & (before_end == CARRIAGE_RETURN))
                first_line = terminators_before + 1
                lines = np.arange(first_line, first_line + ends.size, dtype=np.int64)
                record_starts.append(lines[~blank])
                terminators_before += int(ends.size)
                segment_start = int(ends_global[-1]) + 1
            quotes_before += int(quote_positions.size)
            previous_byte = int(data[-1])
            offset += int(data.size)
    tail = offset - segment_start
    if tail > 1 or (tail == 1 and previous_byte != CARRIAGE_RETURN):
        record_starts.append(np.array([terminators_before + 1], dtype=np.int64))
    lines = np.concatenate(record_starts) if record_starts else np.empty(0, dtype=np.int64)
    return CsvScan(record_lines=lines[1:], bytes_read=offset)

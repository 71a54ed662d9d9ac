"""CSV files written the way each source system writes them, with a record count."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any


@dataclass(frozen=True)
class FileWritten:
    """What the ground truth records of one export file (`files.csv`)."""

    source_file: str  # relative to the landing folder, with forward slashes
    table: str
    encoding: str
    records: int
    defect_lines: tuple[int, ...]


@dataclass
class CsvSink:
    """One export file. Counts data records and remembers deliberately broken lines."""

    path: Path
    table: str
    header: list[str]
    encoding: str = "utf-8"
    excel: bool = False  # CRLF line ends, as Excel writes them
    records: int = 0
    defect_lines: list[int] = field(default_factory=list)
    _handle: IO[str] | None = None
    _writer: Any = None

    def open(self) -> CsvSink:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("w", encoding=self.encoding, newline="", errors="strict")
        self._writer = csv.writer(self._handle, lineterminator="\r\n" if self.excel else "\n")
        self._writer.writerow(self.header)
        return self

    def write(self, row: list[object]) -> None:
        assert self._writer is not None, f"{self.path} is not open"
        self._writer.writerow(row)  # the csv module writes None as an empty field
        self.records += 1

    def write_defect(self, raw_line: str) -> None:
        """Write a line that the loader must reject (a bad record, not a real entity)."""
        assert self._handle is not None
        self._handle.write(raw_line + ("\r\n" if self.excel else "\n"))
        self.records += 1
        self.defect_lines.append(self.records + 1)  # header is line 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def written(self, landing_root: Path) -> FileWritten:
        return FileWritten(
            self.path.relative_to(landing_root).as_posix(),
            self.table,
            self.encoding,
            self.records,
            tuple(self.defect_lines),
        )

"""Join the chunks of a sample into one landing folder and one truth folder, in chunk order."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from orchestration.sample.sinks import FileWritten

COPY_BUFFER = 1 << 24


def append_folder(folder: Path, destination: Path, leave_out: frozenset[str]) -> None:
    """Add one chunk's files to the sample's: a file the sample does not hold yet is moved
    in whole (same file system: no copy); to one it holds, the chunk's records are appended
    without the header line (so a byte order mark, part of the header, stays first only).
    Chunks are added in chunk order; the files named in `leave_out` are not added."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name in leave_out:
            continue
        target = destination / path.relative_to(folder)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            continue
        with path.open("rb") as records, target.open("ab") as joined:
            header = len(records.readline())  # headers hold no line break
            _copy_rest(records, joined, header, path.stat().st_size - header)


def _copy_rest(source: BinaryIO, target: BinaryIO, offset: int, count: int) -> None:
    """Copy `count` bytes from `offset` in the kernel (no pass through Python's buffers:
    the workers are busy on every core); a plain copy where the file system refuses."""
    copy_file_range = getattr(os, "copy_file_range", None)  # Linux only
    try:
        while count > 0:
            if copy_file_range is None:
                raise OSError("no copy_file_range")
            copied = copy_file_range(source.fileno(), target.fileno(), count, offset)
            if copied == 0:
                break
            offset, count = offset + copied, count - copied
    except OSError:
        source.seek(offset)
        shutil.copyfileobj(source, target, COPY_BUFFER)
        return
    if count > 0:
        raise OSError(f"{source.name}: {count} bytes could not be copied")


def merge_files(per_chunk: list[list[FileWritten]]) -> list[FileWritten]:
    """The record counts of one file's parts added up; a defect's line moved down by the
    records of the parts before it (every record is one line)."""
    merged: dict[str, FileWritten] = {}
    for files in per_chunk:
        for written in files:
            before = merged.get(written.source_file)
            if before is None:
                merged[written.source_file] = written
                continue
            moved = tuple(before.records + line for line in written.defect_lines)
            merged[written.source_file] = replace(
                before,
                records=before.records + written.records,
                defect_lines=before.defect_lines + moved,
            )
    return list(merged.values())


def scratch_beside(folder: Path) -> Path:
    """A new folder beside `folder` (same file system, so parts move instead of copying)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = folder.parent / f".{folder.name}-chunks-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    return scratch

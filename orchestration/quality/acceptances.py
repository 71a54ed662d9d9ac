"""Accepting a legitimate jump in a published table's volume, once, on the record.

A campaign that triples the leads, a merger, a backfill: the row-volume check refuses a
publish whose tables moved beyond the agreed change, and that is right until someone who
knows says it is real. `common-funnel accept-volume-change TABLE --by WHO --reason WHY`
writes an acceptance here (`<published dir>/quality/volume_acceptances.json`); the next run
does not judge that table's volume, and the publish that goes through records the
acceptance (who, why, when) in `publish_log.accepted_changes` and closes it. Nothing in the
code or the definitions file changes; an unused acceptance stays open until a publish uses
it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

FILE = "volume_acceptances.json"


@dataclass(frozen=True)
class Acceptance:
    table: str
    accepted_by: str
    reason: str
    accepted_at: str
    publish_id: str | None = None  # the publish that used it; None while open


def _path(quality_dir: Path) -> Path:
    return quality_dir / FILE


def read_all(quality_dir: Path) -> list[Acceptance]:
    path = _path(quality_dir)
    if not path.exists():
        return []
    return [Acceptance(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


def _write(quality_dir: Path, entries: list[Acceptance]) -> None:
    quality_dir.mkdir(parents=True, exist_ok=True)
    temporary = _path(quality_dir).with_suffix(".tmp")
    temporary.write_text(
        json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2), encoding="utf-8"
    )
    os.replace(temporary, _path(quality_dir))


def open_acceptances(quality_dir: Path) -> dict[str, Acceptance]:
    """The open acceptance of each table (the latest, if several)."""
    return {e.table: e for e in read_all(quality_dir) if e.publish_id is None}


def accept(quality_dir: Path, table: str, accepted_by: str, reason: str) -> Acceptance:
    if not accepted_by.strip() or not reason.strip():
        raise ValueError("an acceptance needs who accepts it (--by) and why (--reason)")
    entry = Acceptance(table, accepted_by.strip(), reason.strip(), datetime.now(UTC).isoformat())
    _write(quality_dir, [*read_all(quality_dir), entry])
    return entry


def close(quality_dir: Path, tables: set[str], publish_id: str) -> list[Acceptance]:
    """Mark the open acceptances of `tables` as used by `publish_id`; return them."""
    used, entries = [], []
    for entry in read_all(quality_dir):
        if entry.publish_id is None and entry.table in tables:
            entry = Acceptance(**{**asdict(entry), "publish_id": publish_id})
            used.append(entry)
        entries.append(entry)
    if used:
        _write(quality_dir, entries)
    return used

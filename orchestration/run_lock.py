"""One run at a time per warehouse, whoever launched it.

The daemon's run queue (`max_concurrent_runs: 1`) orders the runs it launches, but a run
started outside it (`common-funnel materialize`, `dagster asset materialize`, a test) does
not queue. The pool `warehouse` serializes steps, not runs: without this lock, run B's dbt
step could rebuild the marts between run A's quality gate and run A's publish, and A would
publish marts its gate never saw. An exclusive `flock` on `<warehouse>.lock`, held from
the start of a run's execution to its end, makes the whole run one unit. The kernel drops
the lock when the process dies, so a killed run never leaves it behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.5
REPORT_EVERY_SECONDS = 30.0


class RunLockTimeout(RuntimeError):
    """Another run held the warehouse for longer than this run was willing to wait."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def _holder(handle: int) -> str:
    os.lseek(handle, 0, os.SEEK_SET)
    return os.read(handle, 200).decode("utf-8", "replace").strip() or "unknown"


@contextmanager
def warehouse_run_lock(
    warehouse: Path,
    run_id: str,
    timeout_seconds: float,
    report: Callable[[str], None] = print,
) -> Iterator[float]:
    """Hold the warehouse's run lock; yields the seconds spent waiting for it."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        next_report = started
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited > timeout_seconds:
                    raise RunLockTimeout(
                        f"{path}: held by {_holder(handle)} for more than"
                        f" {timeout_seconds:.0f} s; this run ({run_id}) gave up waiting"
                    ) from None
                if time.monotonic() >= next_report:
                    report(f"waiting for the warehouse run lock {path}, held by {_holder(handle)}")
                    next_report += REPORT_EVERY_SECONDS
                time.sleep(POLL_SECONDS)
        waited = time.monotonic() - started
        os.ftruncate(handle, 0)
        os.lseek(handle, 0, os.SEEK_SET)
        os.write(handle, f"run {run_id} (pid {os.getpid()})".encode())
        try:
            yield waited
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)

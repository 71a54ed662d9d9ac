"""What a person at a terminal sees of a run: one line per step, Dagster's log in a file.

`common-funnel demo` and `materialize` would otherwise print several hundred DEBUG lines
and dbt's whole output. Two Dagster loggers replace the console logger for those commands:
`progress` prints one line per finished step (its time, the rows it wrote or loaded, what
failed) and `run_file` writes Dagster's whole log, DEBUG included, to
`data/logs/run-<time>.log`, where the CLI also sends what steps print (dbt's log). The
Dagster UI shows the same run in full either way.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from dagster import InitLoggerContext, logger

LOG_META = "dagster_meta"
# log messages of a step worth a terminal line
NOTE_PREFIXES = ("Nothing changed since publish",)
# Where progress lines go when stdout is redirected (dbt's own output, which dagster-dbt
# writes to stdout, goes to the log file during a terminal run): the terminal.
TERMINAL: TextIO | None = None


class ProgressHandler(logging.Handler):
    """Prints a line when a step ends well, fails or is skipped, and a step's note on why
    it built nothing; nothing else."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.started: dict[str, float] = {}
        self.rows: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, LOG_META, None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key")
        if step is None:
            return
        if event is None:
            # a step that builds nothing says why (orchestration/transform/unchanged.py)
            message = str(meta.get("orig_message") or "")
            if message.startswith(NOTE_PREFIXES):
                print(f"  note  {message}", file=TERMINAL or sys.stdout, flush=True)
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
        elif kind in ("ASSET_MATERIALIZATION", "ASSET_OBSERVATION"):
            data: Any = event.event_specific_data
            entry = getattr(data, "materialization", None) or getattr(
                data, "asset_observation", None
            )
            value = (getattr(entry, "metadata", None) or {}).get("dagster/row_count")
            if value is not None:
                self.rows[step] = self.rows.get(step, 0) + int(getattr(value, "value", value))
        elif kind == "STEP_SKIPPED":
            print(f"  skip  {step}", file=TERMINAL or sys.stdout, flush=True)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = time.monotonic() - self.started.get(step, time.monotonic())
            rows = f", {self.rows[step]:,} rows" if step in self.rows else ""
            if kind == "STEP_SUCCESS":
                line = f"  ok    {step:<42} {seconds:6.1f} s{rows}"
            else:
                error = getattr(event.event_specific_data, "error", None)
                reason = (getattr(error, "message", "") or "").strip().splitlines()
                line = f"  FAIL  {step:<42} {seconds:6.1f} s  {reason[0][:160] if reason else ''}"
            print(line, file=TERMINAL or sys.stdout, flush=True)


@logger(description="One line per finished step, for a terminal.")
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.getLogger(f"common_funnel.progress.{id(init_context)}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(ProgressHandler())
    return log


@logger(
    config_schema={"path": str},
    description="Dagster's whole log of the run, DEBUG included, in a text file.",
)
def run_file_logger(init_context: InitLoggerContext) -> logging.Logger:
    path = Path(init_context.logger_config["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(f"common_funnel.run_file.{path}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    # Dagster may initialize the logger more than once per run: one file handler, or every
    # line would be written once per initialization
    if not log.handlers:
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    return log


def quiet_run_config(log_path: Path) -> dict[str, Any]:
    """Run config for a terminal run: progress lines on screen, the full log in a file."""
    return {
        "loggers": {
            "progress": {},
            "run_file": {"config": {"path": str(log_path)}},
        }
    }

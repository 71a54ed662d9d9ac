"""A terminal run shows one line per step; Dagster's whole log goes to a file."""

# no `from __future__ import annotations`: Dagster inspects the `context` annotation

from pathlib import Path

import pytest
from dagster import (
    AssetExecutionContext,
    Definitions,
    Failure,
    MaterializeResult,
    asset,
    define_asset_job,
)

from orchestration.progress import progress_logger, quiet_run_config, run_file_logger


@asset
def landed(context: AssetExecutionContext) -> MaterializeResult:
    context.log.debug("a debug line nobody at a terminal needs")
    return MaterializeResult(metadata={"dagster/row_count": 1234})


@asset(deps=[landed])
def refused() -> None:
    raise Failure(
        description="the data breaks the agreed definitions: example", allow_retries=False
    )


def test_a_run_prints_one_line_per_step_and_logs_everything_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    defs = Definitions(
        assets=[landed, refused],
        jobs=[define_asset_job("both")],
        loggers={"progress": progress_logger, "run_file": run_file_logger},
    )
    log = tmp_path / "logs" / "run.log"
    result = defs.resolve_job_def("both").execute_in_process(
        run_config=quiet_run_config(log), raise_on_error=False
    )
    assert not result.success
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert lines[0].split()[:2] == ["ok", "landed"] and lines[0].endswith("1,234 rows")
    assert lines[1].split()[:2] == ["FAIL", "refused"]
    assert "the data breaks the agreed definitions: example" in lines[1]
    text = log.read_text(encoding="utf-8")
    assert "a debug line nobody at a terminal needs" in text and "STEP_START" in text
    # every event once (Dagster may initialize a logger more than once per run)
    assert text.count("a debug line nobody at a terminal needs") == 1
    assert text.count('Started execution of step "landed"') == 1

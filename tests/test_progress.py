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


@asset(output_required=False)
def unchanged(context: AssetExecutionContext):
    context.log.info("Nothing changed since publish p-1: skipped")
    context.log.info("an info line nobody at a terminal needs")
    if False:
        yield  # a generator that yields no output


@asset(deps=[unchanged])
def downstream() -> None:
    raise AssertionError("skipped: its upstream built nothing")


@asset(deps=[landed])
def refused() -> None:
    raise Failure(
        description="the data breaks the agreed definitions: example", allow_retries=False
    )


def test_a_run_prints_one_line_per_step_and_logs_everything_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    defs = Definitions(
        assets=[landed, refused, unchanged, downstream],
        jobs=[define_asset_job("both")],
        loggers={"progress": progress_logger, "run_file": run_file_logger},
    )
    log = tmp_path / "logs" / "run.log"
    result = defs.resolve_job_def("both").execute_in_process(
        run_config=quiet_run_config(log), raise_on_error=False
    )
    assert not result.success
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    by_step = {line.split()[1]: line for line in lines if line.split()[0] in ("ok", "FAIL")}
    assert by_step["landed"].split()[0] == "ok" and by_step["landed"].endswith("1,234 rows")
    assert by_step["refused"].split()[0] == "FAIL"
    assert "the data breaks the agreed definitions: example" in by_step["refused"]
    assert "  note  Nothing changed since publish p-1: skipped" in lines
    assert "  skip  downstream" in lines
    # one line per step, and the note: nothing else (no info or debug lines)
    assert len(lines) == 5, lines
    text = log.read_text(encoding="utf-8")
    assert "a debug line nobody at a terminal needs" in text and "STEP_START" in text
    # every event once (Dagster may initialize a logger more than once per run)
    assert text.count("a debug line nobody at a terminal needs") == 1
    assert text.count('Started execution of step "landed"') == 1

"""The installed `common-funnel` command ends without Python's teardown (cli.entry): its
exit code, its whole output through a pipe and what its `atexit` functions write survive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from orchestration.common_language.load import DEFAULT_PATH
from orchestration.settings import ENV_DATA_DIR, ENV_ENGINE

COMMAND = str(Path(sys.executable).with_name("common-funnel"))


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, ENV_DATA_DIR: str(tmp_path / "data")}
    return subprocess.run(
        [COMMAND, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_a_command_that_succeeds_exits_0_with_its_output_and_its_files(tmp_path: Path):
    done = _run(
        ["accept-volume-change", "dim_persons", "--by", "ops", "--reason", "merger"], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Accepted a volume change of dim_persons by ops (merger)" in done.stdout
    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert written, "the acceptance file was not written"
    assert any("merger" in p.read_text(encoding="utf-8") for p in written)


def test_a_refused_proposal_exits_2_with_its_whole_message(tmp_path: Path):
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    document["mql_rule"]["threshold"] = 0
    proposed = tmp_path / "proposed.yml"
    proposed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    done = _run(["propose", str(proposed)], tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "mql_rule.threshold" in done.stdout


def test_an_error_still_leaves_through_python_with_its_traceback(tmp_path: Path):
    done = subprocess.run(
        [COMMAND, "summary"],
        env={**os.environ, ENV_DATA_DIR: str(tmp_path), ENV_ENGINE: "no-such-engine"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "no-such-engine" in done.stderr


def test_the_quick_exit_waits_for_threads_and_stops_idle_thread_pools(tmp_path: Path):
    # an idle pool's worker waits for work forever: only the threading module's exit hook
    # stops it; a plain thread's last write and an atexit function must happen too
    script = f"""
import atexit, concurrent.futures, threading, time
from pathlib import Path
from orchestration.cli import finish
pool = concurrent.futures.ThreadPoolExecutor(2)
assert pool.submit(lambda: 1).result() == 1
def late():
    time.sleep(0.5)
    Path({str(tmp_path / "thread")!r}).write_text("done")
threading.Thread(target=late).start()
atexit.register(lambda: Path({str(tmp_path / "atexit")!r}).write_text("ran"))
print("before the exit", flush=False)
finish(7)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 7, done.stderr
    assert done.stdout.strip() == "before the exit"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"

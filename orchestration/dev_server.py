"""Start `dagster dev` (webserver and daemon) and wait until the code location is loaded.

Used by the pipeline benchmark (how long until the UI serves the definitions) and by the
tests of the production shape (tests/servers.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.settings import PROJECT_ROOT

WORKSPACE_QUERY = (
    "{ workspaceOrError { ... on Workspace { locationEntries {"
    " name loadStatus locationOrLoadError { __typename } } } } }"
)


class DagsterDevError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_group(process: subprocess.Popen[Any], grace: float = 20.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left (`dagster dev` spawns many);
    returns when every process of the group has exited (the webserver, daemon and code
    server shut down after `dagster dev` itself: a benchmark that went on at once would
    share the machine with them)."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        if _group_gone(process, wait):
            return
    process.wait(timeout=10.0)


def _group_gone(process: subprocess.Popen[Any], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.poll()  # reap the leader, or the group never looks empty
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@dataclass(frozen=True)
class DagsterDev:
    url: str
    process: subprocess.Popen[str]
    log: Path
    seconds_to_serve: float  # from the start of the process to a loaded code location

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": dict(variables or {})}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        if "errors" in answer:
            raise DagsterDevError(f"GraphQL errors: {answer['errors']}")
        return answer["data"]


def _loaded(server: DagsterDev) -> bool:
    try:
        entries = server.graphql(WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
    except (urllib.error.URLError, ConnectionError):
        return False
    if not entries or any(e["loadStatus"] != "LOADED" for e in entries):
        return False
    errors = [e for e in entries if e["locationOrLoadError"]["__typename"] != "RepositoryLocation"]
    if errors:
        raise DagsterDevError(f"the code location failed to load: {errors}")
    return True


@contextmanager
def dagster_dev(
    home: Path, env: Mapping[str, str], log: Path, ceiling: float = 180.0
) -> Iterator[DagsterDev]:
    """`dagster dev` on 127.0.0.1 with the project's workspace, until the block ends."""
    port = free_port()
    dagster = Path(sys.executable).with_name("dagster")
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env, "DAGSTER_HOME": str(home)},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so all of it can be stopped
        )
    server = DagsterDev(f"http://127.0.0.1:{port}", process, log, 0.0)
    try:
        while not _loaded(server):
            if process.poll() is not None:
                raise DagsterDevError(f"dagster dev exited:\n{log.read_text()[-3000:]}")
            if time.monotonic() - started > ceiling:
                raise DagsterDevError(f"dagster dev not up:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield DagsterDev(server.url, process, log, time.monotonic() - started)
    finally:
        stop_group(process)

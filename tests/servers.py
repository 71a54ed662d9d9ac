"""Real servers for the tests that need them: PostgreSQL and `dagster dev`.

Each is started by the test, in its own process group, and stopped by it. A missing
system package (Debian's postgresql, chromium, chromium-driver) skips the test on a
developer's machine with the command that installs it, but fails it in CI (`CI` set, as
`.ci/run` does): there, nothing is ever skipped.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.dev_server import DagsterDev, dagster_dev, free_port, stop_group

__all__ = ["DagsterDev", "dagster_dev", "free_port", "stop_group"]


def require(what: str, found: bool, install: str) -> None:
    """Skip locally, fail in CI, when a system package a test needs is missing."""
    if found:
        return
    message = f"{what} is not installed: {install} (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# --- PostgreSQL -------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if Path(folder, "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    db: str

    def env(self) -> dict[str, str]:
        """The variables orchestration/deploy/dagster.postgres.yaml reads."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.db,
        }


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A throw-away PostgreSQL cluster on a free loopback port, password auth only."""
    binaries = postgres_bin()
    require("PostgreSQL", binaries is not None, "apt-get install postgresql")
    assert binaries is not None
    as_root = os.geteuid() == 0
    # initdb refuses to run as root: the cluster belongs to the postgres user, in a folder
    # it can reach (pytest's tmp folders are private to root)
    folder = Path(tempfile.mkdtemp(prefix="common-funnel-pg-"))
    data, pwfile = folder / "data", folder / "pwfile"
    password = secrets.token_hex(12)
    pwfile.write_text(password + "\n")
    if as_root:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
        os.chmod(folder, 0o700)

    def run(*args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if as_root else list(args)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}{done.stderr}"

    port = free_port()
    user, db = "common_funnel", "dagster"
    run(
        str(binaries / "initdb"),
        "-D",
        str(data),
        "-U",
        user,
        f"--pwfile={pwfile}",
        "--auth=scram-sha-256",
        "-E",
        "UTF8",
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    # -l: the server's output goes to a file, not to our pipe (which would never close)
    start = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log")]
    run(*start, "-o", options, "-w", "-t", "60", "start")
    try:
        server = Postgres("127.0.0.1", port, user, password, db)
        import psycopg2

        con = psycopg2.connect(
            host=server.host, port=port, user=user, password=password, dbname="postgres"
        )
        con.autocommit = True
        with con.cursor() as cursor:
            cursor.execute(f"create database {db}")
        con.close()
        yield server
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


# --- dagster dev: orchestration/dev_server.py (the benchmark starts it too) ------------

"""`funnel-mf`: MetricFlow's `mf` CLI, pointed at this project, offline.

It is `mf` itself (dbt-metricflow) with three things settled: the dbt project and profile
are ours (`DBT_PROJECT_DIR`, `DBT_PROFILES_DIR`), the warehouse is the one in Settings
unless `COMMON_FUNNEL_WAREHOUSE` says otherwise, and mf's start-up check for a newer
version on PyPI (a network call on every command) is off. Everything after `funnel-mf`
is passed to mf: `funnel-mf validate-configs`, `funnel-mf query --metrics mqls ...`.

mf reads the warehouse, so it waits for a run to finish writing (DuckDB admits no reader
while a process writes); the published file is the always-readable path.
"""

from __future__ import annotations

import os
import sys

from orchestration.settings import ENV_WAREHOUSE, TELEMETRY_OFF, load_settings
from orchestration.transform.project import DBT_PROJECT_DIR


def configure_environment() -> None:
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DBT_PROJECT_DIR", str(DBT_PROJECT_DIR))
    os.environ.setdefault("DBT_PROFILES_DIR", str(DBT_PROJECT_DIR))
    os.environ.setdefault(ENV_WAREHOUSE, str(load_settings().warehouse_path))


def disable_update_check() -> None:
    """mf asks PyPI for a newer version before every command; there is no switch for it."""
    import update_checker

    def no_check(self: object, package_name: str, package_version: str) -> None:
        return None

    update_checker.UpdateChecker.check = no_check  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    configure_environment()
    disable_update_check()
    from dbt_metricflow.cli.main import cli

    try:
        cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="funnel-mf")
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

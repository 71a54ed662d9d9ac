"""Project hygiene: lint, the README's commands are what CI runs, nothing generated tracked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from orchestration.settings import PROJECT_ROOT


def quick_start_commands() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"## Quick start\s*\n+```(?:bash|sh)?\n(.*?)```", readme, re.S)
    assert match, "README needs a 'Quick start' heading followed by one fenced block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_readme_quick_start_has_two_commands_that_ci_runs() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "common-funnel demo" in commands[0] and "pytest" in commands[1]
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci


def test_ruff_is_clean() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    for args in (["check", "."], ["format", "--check", "."]):
        completed = subprocess.run(
            [str(ruff), *args], cwd=PROJECT_ROOT, capture_output=True, text=True
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_sqlfluff_is_clean(tmp_path: Path) -> None:
    """Every model passes sqlfluff with the dbt templater (rules in pyproject.toml)."""
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    completed = subprocess.run(
        [str(sqlfluff), "lint", "dbt_project/models", "--processes", "1"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "COMMON_FUNNEL_WAREHOUSE": str(tmp_path / "lint.duckdb")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Project Compiled" in completed.stdout, completed.stdout + completed.stderr
    assert completed.returncode == 0, completed.stdout + completed.stderr

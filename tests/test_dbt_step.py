"""The dbt step's command line follows COMMON_FUNNEL_DBT_UNIT_TESTS (off unless "1")."""

from __future__ import annotations

import pytest

from orchestration.settings import ENV_DBT_UNIT_TESTS
from orchestration.transform.assets import _build_args


def test_unit_tests_run_only_when_switched_on(monkeypatch: pytest.MonkeyPatch):
    without = ["build", "--exclude", "resource_type:unit_test"]
    monkeypatch.delenv(ENV_DBT_UNIT_TESTS, raising=False)
    assert _build_args() == without
    monkeypatch.setenv(ENV_DBT_UNIT_TESTS, "0")
    assert _build_args() == without
    monkeypatch.setenv(ENV_DBT_UNIT_TESTS, "1")
    assert _build_args() == ["build"]

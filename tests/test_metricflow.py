"""The MetricFlow semantic layer: its configs validate against the warehouse, and `mf
query` gives the same numbers as the published tables."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.settings import ENV_WAREHOUSE
from tests.builds import Built

MF = Path(sys.executable).with_name("funnel-mf")


def _mf(built: Built, *args: str) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [str(MF), *args],
        env={**os.environ, ENV_WAREHOUSE: str(built.warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def _query(built: Built, tmp_path: Path, metrics: list[str], grain: str) -> pd.DataFrame:
    out = tmp_path / f"{grain}.csv"
    _mf(built, "query", "--metrics", ",".join(metrics), "--group-by", f"metric_time__{grain}",
        "--csv", str(out))  # fmt: skip
    frame = pd.read_csv(out)
    frame = frame[frame[f"metric_time__{grain}"].notna()]
    if grain == "month":
        frame["period_label"] = frame["metric_time__month"].str[:7]
    else:
        frame["period_label"] = frame[f"metric_time__{grain}"]
    return frame.set_index("period_label")


def _published(built: Built, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(built.published), read_only=True)
    try:
        return con.execute(sql).df().set_index("period_label")
    finally:
        con.close()


def _assert_agree(mf: pd.Series, published: pd.Series) -> None:
    """Equal on every period the published table counts; MetricFlow adds no other."""
    published = published.dropna()
    assert len(published) > 5
    for label, value in published.items():
        assert label in mf.index, label
        assert math.isclose(float(mf[label]), float(value), rel_tol=1e-9), (label, mf[label], value)
    extra = mf.drop(index=published.index, errors="ignore").dropna()
    assert (extra == 0).all(), extra


def test_semantic_layer_validates_against_the_warehouse(built_small: Built):
    completed = _mf(built_small, "validate-configs")
    output = completed.stdout + completed.stderr
    assert output.count("Successfully validated") >= 5, output
    assert "ERRORS: 0, FUTURE_ERRORS: 0" in output


def test_mf_query_agrees_with_the_published_tables(built_small: Built, tmp_path: Path):
    for grain, published_grain in (("month", "month"), ("fiscal_quarter", "quarter")):
        mf = _query(
            built_small,
            tmp_path,
            ["mqls", "mql_acceptance_rate", "followup_within_sla_rate", "first_touches",
             "lost_deals"],
            grain,
        )  # fmt: skip
        where = f"where is_total and grain = '{published_grain}'"
        acceptance = _published(
            built_small,
            f"select period_label, mqls, acceptance_rate from metric_mql_acceptance {where}",
        )
        sla = _published(
            built_small, f"select period_label, within_sla_rate from metric_followup_sla {where}"
        )
        cohort = _published(
            built_small,
            "select period_label, persons from metric_opportunity_rate_after_first_touch " + where,
        )
        lost = _published(
            built_small,
            "select period_label, any_value(period_lost_deals) as lost from metric_lost_reasons "
            f"{where} group by period_label",
        )
        _assert_agree(mf["mqls"], acceptance["mqls"][acceptance["mqls"] > 0])
        _assert_agree(mf["mql_acceptance_rate"], acceptance["acceptance_rate"])
        _assert_agree(mf["followup_within_sla_rate"], sla["within_sla_rate"])
        _assert_agree(mf["first_touches"], cohort["persons"][cohort["persons"] > 0])
        _assert_agree(mf["lost_deals"], lost["lost"][lost["lost"] > 0])


def test_conversion_and_cumulative_metrics_answer(built_small: Built, tmp_path: Path):
    mf = _query(
        built_small,
        tmp_path,
        ["opportunities", "opportunities_to_date", "opportunity_conversion_after_first_touch"],
        "month",
    ).sort_index()
    rates = mf["opportunity_conversion_after_first_touch"].dropna()
    assert len(rates) > 10 and rates.between(0, 1).all() and rates.max() > 0
    # the running total is the sum of the months before it
    running = mf["opportunities"].fillna(0).cumsum()
    assert (mf["opportunities_to_date"].fillna(0) == running).all()
    con = duckdb.connect(str(built_small.published), read_only=True)
    try:
        total = con.execute("select count(*) from fct_opportunities").fetchone()
    finally:
        con.close()
    assert total is not None and mf["opportunities_to_date"].iloc[-1] == total[0]

"""Published metrics against an independent pandas computation from the ground truth."""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.sample.rules import TruthRules
from orchestration.sample.truth import OUTREACH_PREFIX
from tests.builds import Built

FISCAL_START_MONTH = 4  # the oracle's own statement of the calendar (April, JST)
JST_OFFSET = pd.Timedelta(hours=9)


def _periods(local: pd.Series) -> pd.DataFrame:
    """Period label and index at every grain for local (JST) timestamps."""
    month, year = local.dt.month, local.dt.year
    fiscal_year = year.where(month >= FISCAL_START_MONTH, year - 1)
    index = (month - FISCAL_START_MONTH) % 12
    quarter, half = index // 3 + 1, index // 6 + 1
    grains = {
        "month": (year.astype(str) + "-" + month.map("{:02d}".format), year * 12 + month),
        "quarter": (
            "FY" + fiscal_year.astype(str) + "-Q" + quarter.astype(str),
            fiscal_year * 4 + quarter,
        ),
        "half_year": (
            "FY" + fiscal_year.astype(str) + "-H" + half.astype(str),
            fiscal_year * 2 + half,
        ),
        "fiscal_year": ("FY" + fiscal_year.astype(str), fiscal_year),
    }
    frames = [
        pd.DataFrame({"row": local.index, "grain": g, "period_label": label, "period_index": idx})
        for g, (label, idx) in grains.items()
    ]
    return pd.concat(frames, ignore_index=True)


def _expected_response_rates(built: Built) -> pd.DataFrame:
    truth = built.sample.truth_dir
    touches = pd.read_csv(truth / "touches.csv", dtype=str, keep_default_na=False)
    persons = pd.read_csv(truth / "persons.csv", dtype=str, keep_default_na=False)
    touches = touches.merge(persons[["person_id", "account_index", "industry"]], on="person_id")
    local = pd.to_datetime(touches["at"], utc=True).dt.tz_localize(None) + JST_OFFSET
    touches["targeted"] = (touches["kind"] == "email_send") & touches["campaign"].str.startswith(
        OUTREACH_PREFIX
    )
    touches["responded"] = touches["kind"].isin(TruthRules().response_touches)
    periods = _periods(local).merge(touches, left_on="row", right_index=True)
    per_account = periods.groupby(
        ["grain", "period_label", "period_index", "account_index", "industry"], as_index=False
    )[["targeted", "responded"]].any()
    per_account["hit"] = per_account["targeted"] & per_account["responded"]
    rates = per_account.groupby(
        ["grain", "period_label", "period_index", "industry"], as_index=False
    )[["targeted", "hit"]].sum()
    rates = rates[rates["targeted"] > 0].copy()
    rates["rate"] = rates["hit"] / rates["targeted"]
    return rates


def test_industry_response_rate_equals_the_truth(built: Built):
    expected = _expected_response_rates(built)
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        actual = con.execute(
            """
            select grain, period_label, period_index, industry_code, targeted_accounts,
                responded_accounts, response_rate, response_rate_null_reason,
                prior_response_rate, response_rate_change
            from marts.metric_industry_response_rate
            """
        ).df()
    finally:
        con.close()
    assert set(expected["grain"]) == {"month", "quarter", "half_year", "fiscal_year"}
    got = actual[actual["targeted_accounts"] > 0]
    mine = {
        (r.grain, r.period_label, r.industry_code): (
            r.targeted_accounts,
            r.responded_accounts,
            round(r.response_rate, 12),
        )
        for r in got.itertuples()
    }
    theirs = {
        (r.grain, r.period_label, r.industry): (r.targeted, r.hit, round(r.rate, 12))
        for r in expected.itertuples()
    }
    assert mine == theirs
    empty = actual[actual["targeted_accounts"] == 0]
    assert empty["response_rate"].isna().all()
    assert (empty["response_rate_null_reason"] == "no targeted accounts").all()
    # the change is against the same industry's previous period of the same grain
    rates = {(r.grain, r.period_index, r.industry): r.rate for r in expected.itertuples()}
    for r in got.itertuples():
        prior = rates.get((r.grain, r.period_index - 1, r.industry_code))
        if prior is None:
            assert pd.isna(r.response_rate_change)
        else:
            assert abs(r.response_rate_change - (r.response_rate - prior)) < 1e-12

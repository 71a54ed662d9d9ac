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


def _cycles_with_periods(built: Built) -> pd.DataFrame:
    cycles = pd.read_csv(built.sample.truth_dir / "cycles.csv", dtype=str, keep_default_na=False)
    mql = pd.to_datetime(cycles["mql_at"], utc=True).dt.tz_localize(None)
    followup = pd.to_datetime(cycles["first_followup_at"].replace("", None), utc=True)
    cycles["hours"] = (followup.dt.tz_localize(None) - mql).dt.total_seconds() / 3600
    cycles["accepted"] = cycles["sal_at"] != ""
    cycles["rejected"] = cycles["rejected_at"] != ""
    cycles["within"] = cycles["hours"] <= TruthRules().acceptance_sla.total_seconds() / 3600
    return _periods(mql + JST_OFFSET).merge(cycles, left_on="row", right_index=True)


def _query(built: Built, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_mql_acceptance_and_rejection_reasons_equal_the_truth(built: Built):
    cycles = _cycles_with_periods(built)
    expected = cycles.groupby(["grain", "period_label"]).agg(
        mqls=("accepted", "size"), accepted=("accepted", "sum"), rejected=("rejected", "sum")
    )
    actual = _query(
        built,
        """
        select grain, period_label, sum(mqls) as mqls, sum(accepted_mqls) as accepted,
            sum(rejected_mqls) as rejected
        from marts.metric_mql_acceptance group by all
        """,
    ).set_index(["grain", "period_label"])
    assert expected["mqls"].sum() > 100
    pd.testing.assert_frame_equal(
        actual.sort_index().astype("int64"), expected.sort_index().astype("int64")
    )
    rejected = cycles[cycles["rejected"]]
    expected_reasons = rejected.groupby(["grain", "period_label", "rejection_reason"]).size()
    actual_reasons = _query(
        built,
        """
        select grain, period_label, rejection_reason, sum(rejected_mqls) as n
        from marts.metric_mql_acceptance where rejected_mqls > 0 group by all
        """,
    ).set_index(["grain", "period_label", "rejection_reason"])["n"]
    assert actual_reasons.sort_index().astype("int64").to_dict() == expected_reasons.to_dict()
    rates = _query(built, "select * from marts.metric_mql_acceptance")
    decided = rates["accepted_mqls"] + rates["rejected_mqls"]
    assert (
        (rates["acceptance_rate"] - rates["accepted_mqls"] / decided).abs()[decided > 0] < 1e-12
    ).all()
    assert (rates.loc[decided == 0, "acceptance_rate_null_reason"] == "no decided MQLs").all()


def test_followup_sla_equals_the_truth(built: Built):
    cycles = _cycles_with_periods(built)
    expected = cycles.groupby(["grain", "period_label"]).agg(
        mqls=("within", "size"), within=("within", "sum"), hours=("hours", "sum")
    )
    actual = _query(
        built,
        """
        select grain, period_label, sum(mqls) as mqls, sum(followed_up_within_sla) as within,
            sum(total_hours_to_first_followup) as hours
        from marts.metric_followup_sla group by all
        """,
    ).set_index(["grain", "period_label"])
    actual, expected = actual.sort_index(), expected.sort_index()
    assert actual["mqls"].astype("int64").to_dict() == expected["mqls"].to_dict()
    assert (
        actual["within"].astype("int64").to_dict() == expected["within"].astype("int64").to_dict()
    )
    assert ((actual["hours"] - expected["hours"]).abs() < 1e-6).all()


def test_lost_reasons_equal_the_truth(built: Built):
    truth = built.sample.truth_dir
    deals = pd.read_csv(truth / "opportunities.csv", dtype=str, keep_default_na=False)
    lost = deals[deals["outcome"] == "lost"].reset_index(drop=True)
    closed = pd.to_datetime(lost["closed_at"], utc=True).dt.tz_localize(None) + JST_OFFSET
    periods = _periods(closed).merge(lost, left_on="row", right_index=True)
    counts = periods.groupby(["grain", "period_label", "lost_reason"]).size()
    totals = periods.groupby(["grain", "period_label"]).size()
    actual = _query(built, "select * from marts.metric_lost_reasons")
    assert len(lost) > 10
    got = actual[actual["lost_deals"] > 0].set_index(
        ["grain", "period_label", "lost_reason_category"]
    )["lost_deals"]
    assert got.astype("int64").sort_index().to_dict() == counts.sort_index().to_dict()
    for row in actual.itertuples():
        total = totals[(row.grain, row.period_label)]
        assert row.period_lost_deals == total
        assert abs(row.share_of_lost - row.lost_deals / total) < 1e-12
    categories = set(actual["lost_reason_category"])
    assert "unclassified" in categories and len(categories) == 7


OPPORTUNITY_WINDOW = pd.Timedelta(days=180)  # the oracle's own statement of the window


def test_opportunity_rate_after_first_touch_equals_the_truth(built: Built):
    truth = built.sample.truth_dir
    persons = pd.read_csv(truth / "persons.csv", dtype=str, keep_default_na=False)
    deals = pd.read_csv(truth / "opportunities.csv", dtype=str, keep_default_na=False)
    persons = persons[persons["first_touch_at"] != ""].reset_index(drop=True)
    first_touch = pd.to_datetime(persons["first_touch_at"], utc=True).dt.tz_localize(None)
    created = pd.to_datetime(deals["created_at"], utc=True).dt.tz_localize(None)
    first_deal = created.groupby(deals["person_id"]).min()
    deal_at = persons["person_id"].map(first_deal)
    persons["converted"] = (deal_at <= first_touch + OPPORTUNITY_WINDOW).fillna(False)
    periods = _periods(first_touch + JST_OFFSET).merge(persons, left_on="row", right_index=True)
    expected = periods.groupby(["grain", "period_label"]).agg(
        persons=("converted", "size"), converted=("converted", "sum")
    )
    actual = _query(
        built,
        """
        select grain, period_label, sum(persons) as persons,
            sum(became_opportunity) as converted
        from marts.metric_opportunity_rate_after_first_touch group by all
        """,
    ).set_index(["grain", "period_label"])
    assert expected["converted"].sum() > 10
    assert (
        actual.astype("int64").sort_index().to_dict()
        == expected.astype("int64").sort_index().to_dict()
    )


def test_funnel_waterfall_equals_the_truth(built: Built):
    stages = pd.read_csv(built.sample.truth_dir / "person_stages.csv", dtype=str)
    stages["at"] = pd.to_datetime(stages["entered_at"], utc=True).dt.tz_localize(None)
    first = stages.pivot_table(index="person_id", columns="stage", values="at", aggfunc="min")
    first = first[first["inquiry"].notna()].reset_index()
    periods = _periods(first["inquiry"] + JST_OFFSET).merge(first, left_on="row", right_index=True)
    days = pd.Timedelta(days=1)
    periods["mql_days"] = (periods["mql"] - periods["inquiry"]) / days
    periods["won_days"] = (periods["won"] - periods["sql"]) / days
    expected = periods.groupby(["grain", "period_label"]).agg(
        inquiries=("inquiry", "count"),
        mqls=("mql", "count"),
        sals=("sal", "count"),
        sqls=("sql", "count"),
        wins=("won", "count"),
        mql_days=("mql_days", "mean"),
        won_days=("won_days", "mean"),
    )
    actual = (
        _query(
            built,
            """
        select grain, period_label, inquiries, mqls, sals, sqls, wins,
            mean_days_inquiry_to_mql as mql_days, mean_days_sql_to_won as won_days
        from marts.metric_funnel_waterfall where is_total
        """,
        )
        .set_index(["grain", "period_label"])
        .sort_index()
    )
    expected = expected.sort_index()
    assert expected["wins"].sum() > 5
    counts = ["inquiries", "mqls", "sals", "sqls", "wins"]
    assert actual[counts].astype("int64").to_dict() == expected[counts].astype("int64").to_dict()
    for column in ("mql_days", "won_days"):
        both = pd.concat([actual[column], expected[column]], axis=1, keys=["a", "e"])
        assert ((both["a"] - both["e"]).abs().fillna(0) < 1e-9).all()
        assert (both["a"].isna() == both["e"].isna()).all()
    sliced = _query(
        built,
        "select grain, period_label, sum(inquiries) as n from marts.metric_funnel_waterfall"
        " where not is_total group by all",
    ).set_index(["grain", "period_label"])["n"]
    assert sliced.astype("int64").sort_index().to_dict() == expected["inquiries"].to_dict()


def test_stage_advances_add_up_to_the_truth(built: Built):
    """The truth keeps each deal's advances and regressions, not when each move happened:
    summed over the periods of any grain, the metric must give the same totals."""
    deals = pd.read_csv(built.sample.truth_dir / "opportunities.csv")
    totals = _query(
        built,
        """
        select grain, sum(stage_changes), sum(stage_advances), sum(stage_regressions)
        from marts.metric_opportunity_stage_advances group by grain
        """,
    )
    expected = (
        int(deals["stage_changes"].sum()),
        int(deals["advances"].sum()),
        int(deals["regressions"].sum()),
    )
    assert expected[1] > 10
    assert len(totals) == 4
    for row in totals.itertuples(index=False):
        assert tuple(int(v) for v in row[1:]) == expected, row[0]


def test_time_to_opportunity_equals_the_truth(built: Built):
    truth = built.sample.truth_dir
    deals = pd.read_csv(truth / "opportunities.csv", dtype=str)
    persons = pd.read_csv(truth / "persons.csv", dtype=str)[["person_id", "first_touch_at"]]
    deals = deals.merge(persons, on="person_id")
    created = pd.to_datetime(deals["created_at"], utc=True).dt.tz_localize(None)
    first = pd.to_datetime(deals["first_touch_at"], utc=True).dt.tz_localize(None)
    deals["days"] = (created - first) / pd.Timedelta(days=1)
    periods = _periods(created + JST_OFFSET).merge(deals, left_on="row", right_index=True)
    expected = (
        periods.groupby(["grain", "period_label"])
        .agg(n=("days", "size"), mean=("days", "mean"), median=("days", "median"))
        .sort_index()
    )
    actual = (
        _query(
            built,
            """
        select grain, period_label, opportunities as n, mean_days_first_touch_to_sql as mean,
            median_days_first_touch_to_sql as median
        from marts.metric_time_to_opportunity where is_total
        """,
        )
        .set_index(["grain", "period_label"])
        .sort_index()
    )
    assert expected["n"].sum() > 10
    assert actual["n"].astype("int64").to_dict() == expected["n"].to_dict()
    assert ((actual[["mean", "median"]] - expected[["mean", "median"]]).abs() < 1e-9).all().all()

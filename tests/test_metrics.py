"""Every metric against an independent pandas computation from the ground truth
(tests/metric_oracle.py): per slice and per period total, at two seeds and two scales."""

from __future__ import annotations

import itertools

import duckdb
import pandas as pd

from orchestration.common_language.load import DEFAULT_PATH, load_definitions
from tests import metric_oracle as oracle
from tests.builds import Built


def _table(built: Built, name: str) -> pd.DataFrame:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        return con.execute(f"select * from marts.{name}").df()
    finally:
        con.close()


def _sum_or_null(values: pd.Series) -> float | None:
    return values.sum(min_count=1)


def _assert_rates(
    table: pd.DataFrame,
    rate: str,
    numerator,
    denominator,
    reason: str | None = None,
    share: bool = True,
) -> None:
    """rate = numerator / denominator where the denominator is positive; else null (with
    the reason in `<rate>_null_reason`, when given); never NaN or infinity."""
    num, den = numerator(table), denominator(table)
    positive = den > 0
    assert positive.any()
    assert ((table.loc[positive, rate] - num[positive] / den[positive]).abs() < 1e-12).all()
    assert table.loc[~positive, rate].isna().all()
    if reason is not None:
        assert table.loc[positive, f"{rate}_null_reason"].isna().all()
        assert (table.loc[~positive, f"{rate}_null_reason"] == reason).all()
    if share:
        assert table[rate].dropna().between(0, 1).all()


def _assert_every_period_has_a_total(table: pd.DataFrame, count: str) -> None:
    """Total rows run without gaps from the first to the last period of each grain."""
    totals = table[table["is_total"]]
    for grain, rows in totals.groupby("grain"):
        indexes = sorted(set(rows["period_index"]))
        assert indexes == list(range(indexes[0], indexes[-1] + 1)), grain
    assert (totals[count] >= 0).all()


def test_mql_acceptance_equals_the_truth(built: Built):
    rows = oracle.mql_cohort(built.sample.truth_dir)
    assert (rows["cycle"] > 1).any()  # recycled persons who became MQL again count again
    table = _table(built, "metric_mql_acceptance")
    oracle.compare_sliced(
        table,
        rows,
        {
            "mqls": ("accepted", "size"),
            "accepted_mqls": ("accepted", "sum"),
            "rejected_mqls": ("rejected", "sum"),
        },
    )
    assert (table["pending_mqls"] == table["mqls"] - table["decided_mqls"]).all()
    _assert_rates(
        table[table["mqls"] > 0],
        "acceptance_rate",
        lambda t: t["accepted_mqls"],
        lambda t: t["decided_mqls"],
        "no decided MQLs",
    )
    assert (table.loc[table["mqls"] == 0, "acceptance_rate_null_reason"] == "no MQLs").all()
    _assert_every_period_has_a_total(table, "mqls")


def test_mql_rejection_reasons_equal_the_truth(built: Built):
    rows = oracle.mql_cohort(built.sample.truth_dir)
    rejected = rows[rows["rejected"]]
    table = _table(built, "metric_mql_rejection_reasons")
    counted = table[table["rejected_mqls"] > 0]
    oracle.compare_sliced(
        counted, rejected, {"rejected_mqls": ("rejected", "size")}, keys=["rejection_reason"]
    )
    _assert_rates(
        table,
        "share_of_rejections",
        lambda t: t["rejected_mqls"],
        lambda t: t["period_rejected_mqls"],
        "no rejected MQLs",
    )
    # total rows hold every agreed reason in every period, zero or not
    totals = table[table["is_total"]]
    per_period = totals.groupby(["grain", "period_label"])["rejection_reason"].nunique()
    assert per_period.nunique() == 1 and per_period.iloc[0] >= 4


def test_followup_sla_equals_the_truth(built: Built):
    rows = oracle.mql_cohort(built.sample.truth_dir)
    table = _table(built, "metric_followup_sla")
    oracle.compare_sliced(
        table,
        rows,
        {
            "mqls": ("within", "size"),
            "followed_up_within_sla": ("within", "sum"),
            "followed_up": ("hours", "count"),
            "total_hours_to_first_followup": ("hours", _sum_or_null),
            "median_hours_to_first_followup": ("hours", "median"),
        },
        total_only=["median_hours_to_first_followup"],
    )
    _assert_rates(
        table,
        "within_sla_rate",
        lambda t: t["followed_up_within_sla"],
        lambda t: t["mqls"],
        "no MQLs",
    )
    _assert_every_period_has_a_total(table, "mqls")


def test_lost_reasons_equal_the_truth(built: Built):
    rows = oracle.lost_cohort(built.sample.truth_dir)
    rows = rows.rename(columns={"lost_reason": "lost_reason_category"})
    table = _table(built, "metric_lost_reasons")
    counted = table[table["lost_deals"] > 0]
    oracle.compare_sliced(
        counted,
        rows,
        {"lost_deals": ("opportunity_id", "size")},
        keys=["lost_reason_category"],
    )
    _assert_rates(
        table,
        "share_of_lost",
        lambda t: t["lost_deals"],
        lambda t: t["period_lost_deals"],
        "no lost deals",
    )
    totals = table[table["is_total"]]
    assert set(totals["lost_reason_category"]) >= {"unclassified"}
    assert totals.groupby(["grain", "period_label"]).size().eq(7).all()
    # the change is against the same category's previous period of the grain
    shares = {
        (r.grain, r.period_index, r.lost_reason_category): r.share_of_lost
        for r in totals.itertuples()
    }
    for r in totals.itertuples():
        prior = shares.get((r.grain, r.period_index - 1, r.lost_reason_category))
        if prior is None or pd.isna(prior) or pd.isna(r.share_of_lost):
            assert pd.isna(r.share_of_lost_change)
        else:
            assert abs(r.share_of_lost_change - (r.share_of_lost - prior)) < 1e-12


def test_opportunity_rate_after_first_touch_equals_the_truth(built: Built):
    rows = oracle.first_touch_cohort(built.sample.truth_dir)
    table = _table(built, "metric_opportunity_rate_after_first_touch")
    as_of = pd.Timestamp(table["data_as_of"].iloc[0]).tz_localize(None)
    rows["maturing"] = rows["window_end"] > as_of
    oracle.compare_sliced(
        table,
        rows,
        {
            "persons": ("converted", "size"),
            "became_opportunity": ("converted", "sum"),
            "maturing_persons": ("maturing", "sum"),
        },
    )
    assert rows["converted"].sum() > 10 and rows["maturing"].any() and not rows["maturing"].all()
    assert (table["is_window_complete"] == (table["maturing_persons"] == 0)).all()
    _assert_rates(
        table,
        "opportunity_rate",
        lambda t: t["became_opportunity"],
        lambda t: t["persons"],
        "no persons",
    )
    _assert_every_period_has_a_total(table, "persons")


def test_data_as_of_is_the_latest_event_of_the_sources(built: Built):
    truth = built.sample.truth_dir
    stamps = [
        oracle.utc(oracle.read(truth, "touches")["at"]).max(),
        oracle.utc(oracle.read(truth, "person_stages")["entered_at"]).max(),
    ]
    table = _table(built, "metric_opportunity_rate_after_first_touch")
    as_of = pd.Timestamp(table["data_as_of"].iloc[0]).tz_localize(None)
    assert as_of >= max(stamps)
    assert as_of - max(stamps) < pd.Timedelta(days=7)  # a CRM change may follow the last stage


def test_funnel_waterfall_equals_the_truth(built: Built):
    rows = oracle.inquiry_cohort(built.sample.truth_dir)
    table = _table(built, "metric_funnel_waterfall")
    oracle.compare_sliced(
        table,
        rows,
        {
            "inquiries": ("inquiry", "count"),
            "mqls": ("mql", "count"),
            "sals": ("sal", "count"),
            "sqls": ("sql", "count"),
            "wins": ("won", "count"),
            "mean_days_inquiry_to_mql": ("mql_days", "mean"),
            "mean_days_mql_to_sal": ("sal_days", "mean"),
            "mean_days_sal_to_sql": ("sql_days", "mean"),
            "mean_days_sql_to_won": ("won_days", "mean"),
        },
    )
    assert rows["won"].notna().sum() > 5
    _assert_rates(
        table[table["inquiries"] > 0],
        "inquiry_to_won_rate",
        lambda t: t["wins"],
        lambda t: t["inquiries"],
    )
    # counts never grow down the funnel within a cohort
    steps = ["inquiries", "mqls", "sals", "sqls", "wins"]
    for upper, lower in itertools.pairwise(steps):
        assert (table[lower] <= table[upper]).all(), (upper, lower)
    _assert_every_period_has_a_total(table, "inquiries")


def test_stage_advances_add_up_to_the_truth_per_slice(built: Built):
    """The truth keeps each deal's advances and regressions, not when each move happened:
    summed over the periods of any grain, each slice must give the truth's totals."""
    deals = oracle.opportunity_rows(built.sample.truth_dir)
    for column in ("stage_changes", "advances", "regressions"):
        deals[column] = deals[column].astype(int)
    expected = oracle.expected_by(
        deals,
        oracle.SLICES,
        {
            "stage_changes": ("stage_changes", "sum"),
            "stage_advances": ("advances", "sum"),
            "stage_regressions": ("regressions", "sum"),
        },
    )
    expected = expected[expected["stage_changes"] > 0]
    table = _table(built, "metric_opportunity_stage_advances")
    values = ["stage_changes", "stage_advances", "stage_regressions"]
    assert expected["stage_advances"].sum() > 10 and expected["stage_regressions"].sum() > 0
    for grain, rows in table.groupby("grain"):
        sliced = (
            rows[~rows["is_total"]]
            .groupby(oracle.SLICES, dropna=False, as_index=False)[values]
            .sum()
        )
        assert oracle.same(
            oracle.as_dict(sliced, oracle.SLICES, values),
            oracle.as_dict(expected, oracle.SLICES, values),
        ), grain
        totals = rows[rows["is_total"]][values].sum()
        assert tuple(int(v) for v in totals) == tuple(int(expected[v].sum()) for v in values)
    _assert_rates(
        table[table["opportunities_moved"] > 0],
        "advances_per_opportunity",
        lambda t: t["stage_advances"],
        lambda t: t["opportunities_moved"],
        share=False,
    )


def test_time_to_opportunity_equals_the_truth(built: Built):
    rows = oracle.created_opportunity_cohort(built.sample.truth_dir)
    table = _table(built, "metric_time_to_opportunity")
    oracle.compare_sliced(
        table,
        rows,
        {
            "opportunities": ("days", "size"),
            "total_days_first_touch_to_sql": ("days", "sum"),
            "mean_days_first_touch_to_sql": ("days", "mean"),
            "median_days_first_touch_to_sql": ("days", "median"),
        },
        total_only=["median_days_first_touch_to_sql"],
    )
    empty = table[table["opportunities"] == 0]
    assert empty["mean_days_first_touch_to_sql"].isna().all()
    assert (empty["days_null_reason"] == "no opportunities").all()
    _assert_every_period_has_a_total(table, "opportunities")


def test_industry_response_rate_equals_the_truth(built: Built):
    accounts = oracle.response_accounts(built.sample.truth_dir)
    table = _table(built, "metric_industry_response_rate")
    values = ["targeted_accounts", "responded_accounts"]
    aggregations = {"targeted_accounts": ("targeted", "sum"), "responded_accounts": ("hit", "sum")}
    for is_total, keys in ((True, ["industry_code"]), (False, ["industry_code", "size_band"])):
        period = ["grain", "period_label"]
        expected = oracle.expected_by(accounts, [*period, *keys], aggregations)
        expected = expected[expected["targeted_accounts"] > 0]
        got = table[(table["is_total"] == is_total) & (table["targeted_accounts"] > 0)]
        assert len(expected) > 10
        assert oracle.same(
            oracle.as_dict(got, [*period, *keys], values),
            oracle.as_dict(expected, [*period, *keys], values),
        )
    _assert_rates(
        table,
        "response_rate",
        lambda t: t["responded_accounts"],
        lambda t: t["targeted_accounts"],
        "no targeted accounts",
    )
    # total rows: every industry in every observed period; the change is against the
    # same industry's previous period of the grain
    totals = table[table["is_total"]]
    assert totals.groupby(["grain", "period_label"]).size().nunique() == 1
    rates = {
        (r.grain, r.period_index, r.industry_code): r.response_rate for r in totals.itertuples()
    }
    for r in totals.itertuples():
        prior = rates.get((r.grain, r.period_index - 1, r.industry_code))
        if prior is None or pd.isna(prior) or pd.isna(r.response_rate):
            assert pd.isna(r.response_rate_change)
        else:
            assert abs(r.response_rate_change - (r.response_rate - prior)) < 1e-12


METRIC_TABLES = [
    "metric_opportunity_rate_after_first_touch",
    "metric_opportunity_stage_advances",
    "metric_lost_reasons",
    "metric_time_to_opportunity",
    "metric_industry_response_rate",
    "metric_funnel_waterfall",
    "metric_mql_acceptance",
    "metric_mql_rejection_reasons",
    "metric_followup_sla",
]


def test_every_row_carries_its_period_window_and_definitions_version(built: Built):
    """Months are calendar months; fiscal years run April to March (the oracle's calendar)."""
    for name in METRIC_TABLES:
        table = _table(built, name)
        assert (table["definitions_version"] == load_definitions(DEFAULT_PATH).version).all(), name
        windows = table.groupby(["grain", "period_label"])[
            ["period_start_date", "period_end_date"]
        ].nunique()
        assert (windows == 1).all().all(), name
        for row in table.drop_duplicates(["grain", "period_label"]).itertuples():
            start, end = pd.Timestamp(row.period_start_date), pd.Timestamp(row.period_end_date)
            if row.grain == "month":
                assert start.strftime("%Y-%m") == row.period_label and start.day == 1
                assert end == start + pd.offsets.MonthEnd(0)
            elif row.grain == "fiscal_year":
                year = int(row.period_label[2:])
                assert (start, end) == (pd.Timestamp(year, 4, 1), pd.Timestamp(year + 1, 3, 31))
            else:
                months = {"quarter": 3, "half_year": 6}[row.grain]
                assert end == start + pd.DateOffset(months=months) - pd.Timedelta(days=1)

"""An independent pandas computation of every metric from the generator's ground truth.

Nothing here reads the warehouse: each function turns the truth files into the rows a
metric table should hold, with the oracle's own statement of the calendar (April fiscal
year, JST), the window, the touch vocabulary and the slices. `compare` then checks a
metric table against them, slice rows and total rows separately.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orchestration.sample.rules import TruthRules
from orchestration.sample.truth import OUTREACH_PREFIX

FISCAL_START_MONTH = 4
JST_OFFSET = pd.Timedelta(hours=9)
OPPORTUNITY_WINDOW = pd.Timedelta(days=180)
SLICES = [
    "first_touch_channel",
    "first_touch_intent",
    "first_touch_campaign",
    "industry_code",
    "size_band",
    "owner_id",
    "owner_team",
]
# the touch vocabulary as the oracle states it: kind -> (channel, intent)
KINDS = {
    "document_request": ("web_form", "high"),
    "demo_request": ("web_form", "hand_raise"),
    "content_download": ("web_form", "medium"),
    "webinar_registration": ("webinar", "medium"),
    "webinar_attendance": ("webinar", "medium"),
    "business_card": ("trade_show", "low"),
    "email_click": ("email", "low"),
    "email_open": ("email", "none"),
}
DAY = pd.Timedelta(days=1)


def read(truth: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(truth / f"{name}.csv", dtype=str, keep_default_na=False)


def utc(values: pd.Series) -> pd.Series:
    """Naive UTC timestamps; empty strings become NaT."""
    return pd.to_datetime(values.replace("", None), utc=True).dt.tz_localize(None)


def periods(rows: pd.DataFrame, at: pd.Series) -> pd.DataFrame:
    """`rows` once per grain, with the period of `at` (naive UTC) in JST."""
    local = at + JST_OFFSET
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
        rows.assign(grain=grain, period_label=label, period_index=idx)
        for grain, (label, idx) in grains.items()
    ]
    return pd.concat(frames, ignore_index=True)


def _blank_to_none(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].where(frame[column] != "", None)
    return frame


def known_size_accounts(truth: Path) -> set[str]:
    """Sizes come only from the CRM (accounts, leads) and target lists: an account none
    of them knows has no size."""
    accounts = read(truth, "accounts")
    persons = read(truth, "persons")
    records = read(truth, "person_records")
    sized = records[records["system"].isin(["crm_lead", "target_list"])]["person_id"]
    known = set(accounts.loc[accounts["crm_account_id"] != "", "account_index"])
    return known | set(persons.loc[persons["person_id"].isin(sized), "account_index"])


def person_slices(truth: Path) -> pd.DataFrame:
    """The slices of each person: first touch, industry, size band, first lead's owner."""
    persons = read(truth, "persons")
    cycles = read(truth, "cycles")
    known = known_size_accounts(truth)
    frame = pd.DataFrame({"person_id": persons["person_id"]})
    kind = persons["first_touch_kind"]
    frame["first_touch_channel"] = kind.map(lambda k: KINDS[k][0] if k else None)
    frame["first_touch_intent"] = kind.map(lambda k: KINDS[k][1] if k else None)
    frame["first_touch_campaign"] = persons["first_touch_campaign"]
    frame["industry_code"] = persons["industry"]
    frame["size_band"] = persons["size_band"].where(persons["account_index"].isin(known), None)
    first_cycles = cycles[cycles["cycle"] == "1"].set_index("person_id")
    frame["owner_id"] = frame["person_id"].map(first_cycles["lead_owner_id"])
    frame["owner_team"] = frame["person_id"].map(first_cycles["lead_owner_team"])
    frame = frame.astype(object).where(frame.notna(), None)
    return _blank_to_none(frame, ["first_touch_campaign"]).set_index("person_id")


def _with_person_slices(rows: pd.DataFrame, truth: Path, owner: tuple[str, str] | None):
    """Attach the person's slices; `owner` names the row's own owner columns, if any."""
    slices = person_slices(truth)
    if owner is not None:
        slices = slices.drop(columns=["owner_id", "owner_team"])
        rows = rows.rename(columns={owner[0]: "owner_id", owner[1]: "owner_team"})
    return rows.join(slices, on="person_id")


# ------------------------------------------------------------------------ cohorts
def mql_cohort(truth: Path) -> pd.DataFrame:
    cycles = read(truth, "cycles")
    mql = utc(cycles["mql_at"])
    hours = (utc(cycles["first_followup_at"]) - mql).dt.total_seconds() / 3600
    sla = TruthRules().acceptance_sla.total_seconds() / 3600
    rows = pd.DataFrame(
        {
            "person_id": cycles["person_id"],
            "cycle": cycles["cycle"].astype(int),
            "lead_owner_id": cycles["lead_owner_id"],
            "lead_owner_team": cycles["lead_owner_team"],
            "accepted": cycles["sal_at"] != "",
            "rejected": cycles["rejected_at"] != "",
            "rejection_reason": cycles["rejection_reason"].where(cycles["rejected_at"] != "", None),
            "hours": hours,
            "within": hours <= sla,
        }
    )
    rows = _with_person_slices(rows, truth, ("lead_owner_id", "lead_owner_team"))
    return periods(rows, mql)


def first_touch_cohort(truth: Path) -> pd.DataFrame:
    persons = read(truth, "persons")
    deals = read(truth, "opportunities")
    persons = persons[persons["first_touch_at"] != ""].reset_index(drop=True)
    first_touch = utc(persons["first_touch_at"])
    first_deal = utc(deals["created_at"]).groupby(deals["person_id"]).min()
    deal_at = persons["person_id"].map(first_deal)
    rows = pd.DataFrame(
        {
            "person_id": persons["person_id"],
            "converted": (deal_at <= first_touch + OPPORTUNITY_WINDOW).fillna(False),
            "window_end": first_touch + OPPORTUNITY_WINDOW,
        }
    )
    return periods(_with_person_slices(rows, truth, None), first_touch)


def inquiry_cohort(truth: Path) -> pd.DataFrame:
    stages = read(truth, "person_stages")
    stages["at"] = utc(stages["entered_at"])
    first = stages.pivot_table(index="person_id", columns="stage", values="at", aggfunc="min")
    first = first[first["inquiry"].notna()].reset_index()
    for stage in ("mql", "sal", "sql", "won"):
        if stage not in first:
            first[stage] = pd.NaT
    first["mql_days"] = (first["mql"] - first["inquiry"]) / DAY
    first["sal_days"] = (first["sal"] - first["mql"]) / DAY
    first["sql_days"] = (first["sql"] - first["sal"]) / DAY
    first["won_days"] = (first["won"] - first["sql"]) / DAY
    return periods(_with_person_slices(first, truth, None), first["inquiry"])


def opportunity_rows(truth: Path) -> pd.DataFrame:
    deals = read(truth, "opportunities")
    return _with_person_slices(deals, truth, ("owner_id", "owner_team"))


def created_opportunity_cohort(truth: Path) -> pd.DataFrame:
    deals = opportunity_rows(truth)
    persons = read(truth, "persons").set_index("person_id")
    created = utc(deals["created_at"])
    first = utc(deals["person_id"].map(persons["first_touch_at"]))
    deals["days"] = (created - first) / DAY
    return periods(deals, created)


def lost_cohort(truth: Path) -> pd.DataFrame:
    deals = opportunity_rows(truth)
    lost = deals[deals["outcome"] == "lost"].reset_index(drop=True)
    return periods(lost, utc(lost["closed_at"]))


def response_accounts(truth: Path) -> pd.DataFrame:
    """Per account and period: targeted by outreach, and responded."""
    touches = read(truth, "touches")
    persons = read(truth, "persons")
    known = known_size_accounts(truth)
    touches = touches.merge(
        persons[["person_id", "account_index", "industry", "size_band"]], on="person_id"
    )
    touches["size_band"] = touches["size_band"].where(touches["account_index"].isin(known), None)
    touches["targeted"] = (touches["kind"] == "email_send") & touches["campaign"].str.startswith(
        OUTREACH_PREFIX
    )
    touches["responded"] = touches["kind"].isin(TruthRules().response_touches)
    rows = periods(touches, utc(touches["at"]))
    keys = ["grain", "period_label", "period_index", "account_index"]
    per_account = rows.groupby(keys, as_index=False).agg(
        industry_code=("industry", "first"),
        size_band=("size_band", "first"),
        targeted=("targeted", "any"),
        responded=("responded", "any"),
    )
    per_account["hit"] = per_account["targeted"] & per_account["responded"]
    return per_account


# ------------------------------------------------------------------------ comparing
def _clean(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def as_dict(frame: pd.DataFrame, keys: Sequence[str], values: Sequence[str]) -> dict:
    return {
        tuple(_clean(v) for v in row[: len(keys)]): tuple(_clean(v) for v in row[len(keys) :])
        for row in frame[[*keys, *values]].itertuples(index=False, name=None)
    }


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, (int, float))
            and isinstance(b, (int, float))
            and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        )
    return a == b


def same(mine: dict, theirs: dict) -> bool:
    """Equal keys, and equal values (floats to 1e-9)."""
    return mine.keys() == theirs.keys() and all(
        len(mine[k]) == len(theirs[k]) and all(map(_close, mine[k], theirs[k])) for k in mine
    )


def expected_by(
    rows: pd.DataFrame, keys: Sequence[str], aggregations: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    return rows.groupby(list(keys), dropna=False, as_index=False).agg(**aggregations)


def compare_sliced(
    actual: pd.DataFrame,
    rows: pd.DataFrame,
    aggregations: dict[str, tuple[str, str]],
    keys: Sequence[str] = (),
    total_only: Sequence[str] = (),
) -> None:
    """The metric's slice rows and total rows equal the oracle's groupings of `rows`.

    total_only: measures exact only on total rows (means, medians)."""
    period = ["grain", "period_label"]
    slice_keys = [*period, *keys, *SLICES]
    slice_values = [name for name in aggregations if name not in total_only]
    sliced = actual[~actual["is_total"]]
    expected_slices = expected_by(rows, slice_keys, aggregations)
    mine, theirs = (
        as_dict(sliced, slice_keys, slice_values),
        as_dict(expected_slices, slice_keys, slice_values),
    )
    assert len(theirs) > 20
    assert same(mine, theirs), _difference(mine, theirs)
    totals = actual[actual["is_total"]]
    expected_totals = expected_by(rows, [*period, *keys], aggregations)
    first = next(iter(aggregations))
    nonempty = totals[totals[first] > 0]
    mine = as_dict(nonempty, [*period, *keys], list(aggregations))
    theirs = as_dict(expected_totals, [*period, *keys], list(aggregations))
    if keys:  # a total row exists per key also where the key has no rows
        theirs = {k: v for k, v in theirs.items() if v[0]}
    assert same(mine, theirs), _difference(mine, theirs)


def _difference(mine: dict, theirs: dict) -> str:
    missing = [k for k in theirs if k not in mine][:3]
    extra = [k for k in mine if k not in theirs][:3]
    differ = [
        (k, mine[k], theirs[k])
        for k in mine
        if k in theirs and not same({0: mine[k]}, {0: theirs[k]})
    ][:3]
    return f"missing {missing}; extra {extra}; differ (mine, theirs) {differ}"

"""A date outside the reporting calendar is reported, never silently left out.

Hand-made: one person whose only touch is a form submission (資料請求, document_request,
an inquiry) on 2019-06-03 10:00 JST, before the calendar starts (2020-01-01,
dbt_project.yml `calendar_start`), and another on 2026-05-11 10:00 JST inside it. The
first person's first-touch local date, 2019-06-03, belongs to no period: the
`inside_reporting_calendar` test on dim_persons.first_touch_local_date fails with one
failing row (that date), as a warning; the run publishes, and the funnel's inquiries
count the person of 2026 and not the one of 2019.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from tests.builds import build_everything, published_path
from tests.hand_made_landing import document_request_form, write_export

CHECK = "inside_reporting_calendar_dim_persons_first_touch_local_date"


def _land(landing: Path) -> None:
    document_request_form(landing)
    write_export(
        landing,
        "raw_hubspot.contact_form_submission",
        "form_submissions_20260515.csv",
        [
            {
                "Conversion ID": "cv-old",
                "Contact ID": "201",
                "Form ID": "f-1",
                "Email": "early@old-history.example",
                "Submitted At": "2019-06-03 10:00:00",
            },
            {
                "Conversion ID": "cv-new",
                "Contact ID": "202",
                "Form ID": "f-1",
                "Email": "recent@old-history.example",
                "Submitted At": "2026-05-11 10:00:00",
            },
        ],
    )


def test_a_first_touch_before_the_calendar_is_a_warning_with_its_date(tmp_path: Path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    _land(landing)
    result = build_everything(landing, warehouse)
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    # the other columns it guards hold no date outside the calendar here
    guarded = sorted(n for n in evaluations if n.startswith("inside_reporting_calendar_"))
    assert len(guarded) == 4 and all(evaluations[n].passed for n in guarded if n != CHECK)
    outside = evaluations[CHECK]
    assert not outside.passed and outside.severity.value == "WARN"
    assert outside.metadata["dagster_dbt/failed_row_count"].value == 1  # one date: 2019-06-03
    con = duckdb.connect(str(published_path(warehouse)), read_only=True)
    try:
        dates = con.execute("select first_touch_local_date from dim_persons order by 1").fetchall()
        inquiries = con.execute(
            "select sum(inquiries) from metric_funnel_waterfall"
            " where grain = 'fiscal_year' and is_total"
        ).fetchall()
    finally:
        con.close()
    assert dates == [(date(2019, 6, 3),), (date(2026, 5, 11),)]
    assert inquiries == [(1,)]

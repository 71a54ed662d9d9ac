"""Charts of the published metrics: a funnel and the trends people would rather look at.

Each chart reads a few total rows of the audited marts (small aggregates, computed in
DuckDB), is drawn with Altair and rendered offline with vl-convert: PNG for the Dagster
UI (embedded in the asset's metadata as Markdown) and SVG and PNG files for people
without the UI. The files are written only once the publish swapped its new version in:
a publish that fails leaves the charts of the version still published.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import vl_convert

WIDTH, HEIGHT = 560, 260


@dataclass(frozen=True)
class Chart:
    table: str  # the published table the chart belongs to
    name: str
    title: str
    sql: str
    draw: Callable[[alt.Chart], alt.Chart]


def _funnel(base: alt.Chart) -> alt.Chart:
    return base.mark_bar().encode(
        x=alt.X("stage:N", sort=["Inquiry", "MQL", "SAL", "SQL", "Won"], title=None),
        xOffset=alt.XOffset("period_label:N"),
        y=alt.Y("persons:Q", title="persons of the cohort"),
        color=alt.Color("period_label:N", title="fiscal year (cohort)"),
        tooltip=["period_label", "stage", "persons"],
    )


def _rate_trend(field: str, title: str) -> Callable[[alt.Chart], alt.Chart]:
    def draw(base: alt.Chart) -> alt.Chart:
        return base.mark_line(point=True).encode(
            x=alt.X("period_label:N", sort=None, title="month"),
            y=alt.Y(f"{field}:Q", title=title, axis=alt.Axis(format="%")),
            tooltip=["period_label", alt.Tooltip(f"{field}:Q", format=".1%")],
        )

    return draw


def _by_series(field: str, series: str, title: str, fmt: str) -> Callable[[alt.Chart], alt.Chart]:
    def draw(base: alt.Chart) -> alt.Chart:
        return base.mark_line(point=True).encode(
            x=alt.X("period_label:N", sort=None, title="fiscal quarter"),
            y=alt.Y(f"{field}:Q", title=title, axis=alt.Axis(format=fmt)),
            color=alt.Color(f"{series}:N"),
            tooltip=["period_label", series, alt.Tooltip(f"{field}:Q", format=fmt)],
        )

    return draw


def _stacked_share(base: alt.Chart) -> alt.Chart:
    return base.mark_bar().encode(
        x=alt.X("period_label:N", sort=None, title="fiscal quarter"),
        y=alt.Y("share_of_lost:Q", stack="normalize", title="share of lost deals"),
        color=alt.Color("lost_reason_category:N", title="lost reason"),
        tooltip=["period_label", "lost_reason_category", "lost_deals"],
    )


CHARTS: list[Chart] = [
    Chart(
        "metric_funnel_waterfall",
        "funnel",
        "Funnel by fiscal-year cohort: Inquiry → MQL → SAL → SQL → Won",
        """
        unpivot (
            select period_label, inquiries as "Inquiry", mqls as "MQL", sals as "SAL",
                sqls as "SQL", wins as "Won"
            from metric_funnel_waterfall where is_total and grain = 'fiscal_year'
        ) on "Inquiry", "MQL", "SAL", "SQL", "Won" into name stage value persons
        """,
        _funnel,
    ),
    Chart(
        "metric_opportunity_rate_after_first_touch",
        "opportunity_rate_trend",
        "Opportunity rate after first touch, by month of first touch",
        """
        select period_label, opportunity_rate from metric_opportunity_rate_after_first_touch
        where is_total and grain = 'month' order by period_index
        """,
        _rate_trend("opportunity_rate", "became an opportunity"),
    ),
    Chart(
        "metric_mql_acceptance",
        "acceptance_trend",
        "MQL acceptance rate by sales, by month of MQL",
        """
        select period_label, acceptance_rate from metric_mql_acceptance
        where is_total and grain = 'month' order by period_index
        """,
        _rate_trend("acceptance_rate", "accepted of decided MQLs"),
    ),
    Chart(
        "metric_followup_sla",
        "followup_sla_trend",
        "MQLs followed up within the agreed SLA, by month of MQL",
        """
        select period_label, within_sla_rate from metric_followup_sla
        where is_total and grain = 'month' order by period_index
        """,
        _rate_trend("within_sla_rate", "within SLA"),
    ),
    Chart(
        "metric_lost_reasons",
        "lost_reasons_trend",
        "Lost deals by canonical reason, by fiscal quarter",
        """
        select period_label, lost_reason_category, lost_deals, share_of_lost
        from metric_lost_reasons
        where is_total and grain = 'quarter' and period_lost_deals > 0
        order by period_index, category_order
        """,
        _stacked_share,
    ),
    Chart(
        "metric_industry_response_rate",
        "industry_response_trend",
        "Response rate of targeted accounts by industry, by fiscal quarter",
        """
        select period_label, industry_code, response_rate from metric_industry_response_rate
        where is_total and grain = 'quarter' and targeted_accounts > 0
        order by period_index
        """,
        _by_series("response_rate", "industry_code", "responded of targeted", "%"),
    ),
    Chart(
        "metric_time_to_opportunity",
        "time_to_opportunity_trend",
        "Days from first touch to opportunity, by fiscal quarter of the opportunity",
        """
        unpivot (
            select period_label, period_index, mean_days_first_touch_to_sql as mean,
                median_days_first_touch_to_sql as median
            from metric_time_to_opportunity where is_total and grain = 'quarter'
                and opportunities > 0
        ) on mean, median into name statistic value days
        order by period_index
        """,
        _by_series("days", "statistic", "days", ".0f"),
    ),
    Chart(
        "metric_opportunity_stage_advances",
        "stage_advances_trend",
        "Opportunity stage advances and regressions, by fiscal quarter",
        """
        unpivot (
            select period_label, period_index, stage_advances as advances,
                stage_regressions as regressions
            from metric_opportunity_stage_advances where is_total and grain = 'quarter'
        ) on advances, regressions into name movement value moves
        order by period_index
        """,
        _by_series("moves", "movement", "stage moves", ".0f"),
    ),
]


@dataclass(frozen=True)
class RenderedChart:
    """A drawn chart, in memory until `write` (the publish writes it after its swap)."""

    chart: Chart
    png: bytes
    svg: str
    out_dir: Path

    @property
    def files(self) -> tuple[Path, Path]:
        return self.out_dir / f"{self.chart.name}.png", self.out_dir / f"{self.chart.name}.svg"

    def write(self) -> None:
        """Each file replaced whole (written beside it, then renamed over it): a reader
        sees the old chart or the new one, never a part."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for path, data in zip(self.files, (self.png, self.svg.encode("utf-8")), strict=True):
            partial = path.with_name(f".{path.name}.partial")
            partial.write_bytes(data)
            os.replace(partial, path)

    def markdown(self) -> str:
        """Markdown the Dagster UI renders: the PNG inline, and where the files are."""
        encoded = base64.b64encode(self.png).decode("ascii")
        paths = ", ".join(f"`{p}`" for p in self.files)
        return f"![{self.chart.title}](data:image/png;base64,{encoded})\n\nFiles: {paths}"


def render(con: duckdb.DuckDBPyConnection, chart: Chart, out_dir: Path) -> RenderedChart:
    rows = con.execute(chart.sql).df()
    spec = (
        chart.draw(alt.Chart(rows))
        .properties(title=chart.title, width=WIDTH, height=HEIGHT)
        .to_json()
    )
    # the PNG is rasterized from the SVG: the same bytes as vegalite_to_png, without
    # compiling and rendering the chart twice
    svg = vl_convert.vegalite_to_svg(spec)
    png = vl_convert.svg_to_png(svg, scale=1.5)
    return RenderedChart(chart, png, svg, out_dir)


def start_renderer() -> None:
    """Start vl-convert's JavaScript engine with a one-point chart: its first chart costs
    about a third of a second more than the rest (warm_imports.py does this while dbt runs)."""
    spec = (
        '{"data": {"values": [{"x": 0}]}, "mark": "point",'
        ' "encoding": {"x": {"field": "x", "type": "quantitative"}}}'
    )
    vl_convert.svg_to_png(vl_convert.vegalite_to_svg(spec))


def chart_tables(schema: str) -> list[str]:
    """The tables the charts draw from, as `schema.table`."""
    return sorted({f"{schema}.{chart.table}" for chart in CHARTS})


def render_all(
    con: duckdb.DuckDBPyConnection, schema: str, out_dir: Path
) -> dict[str, RenderedChart]:
    """Every chart, by the table it belongs to, from `schema` of the DuckDB connection
    (the audited marts, before they are published: a chart that fails stops the publish),
    drawn for `out_dir` and not written yet. On other engines `con` holds copies of the
    chart tables (Engine.local_copy)."""
    con.execute(f"set schema = '{schema}'")
    return {chart.table: render(con, chart, out_dir) for chart in CHARTS}

"""One static HTML page per proposal, in English and Japanese, readable without a server.

Everything on the page comes from the proposal database (`comparison.py`) and the two
definitions files: the rule changes, the headline figures each team is measured on, on
each team's time axis (sales: month and quarter; marketing: half-year and fiscal year),
current-against-proposed bar charts (inline SVG), the persons and deals that move most
(pseudonymous ids), and what the quality gate would say. Stage and lost-reason labels
are the definitions file's own `label_en` / `label_ja`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from orchestration.common_language.load import LoadedDefinitions
from orchestration.proposals.comparison import TEAM_GRAINS

REPORT_NAME = "report.html"
ALL_TESTS_PASS = "Every dbt data test and quality-gate check passes on both sides."
ALL_TESTS_PASS_JA = "dbtのデータテストと品質ゲートの検査は両方とも合格です。"
PERIODS_SHOWN = 8
MOVERS_SHOWN = 25

# (team, metric, measure, English, Japanese, is a rate)
HEADLINES = (
    ("marketing", "metric_funnel_waterfall", "inquiries", "Inquiries", "引き合い数", False),
    ("marketing", "metric_funnel_waterfall", "mqls", "MQLs", "MQL数", False),
    (
        "marketing",
        "metric_funnel_waterfall",
        "inquiry_to_mql_rate",
        "Inquiry to MQL rate",
        "引き合い→MQL率",
        True,
    ),
    (
        "marketing",
        "metric_industry_response_rate",
        "response_rate",
        "Target-list response rate",
        "ターゲットリスト反応率",
        True,
    ),
    ("sales", "metric_mql_acceptance", "mqls", "MQLs handed to sales", "営業に渡ったMQL数", False),
    ("sales", "metric_mql_acceptance", "acceptance_rate", "MQL acceptance rate", "MQL受入率", True),
    (
        "sales",
        "metric_followup_sla",
        "within_sla_rate",
        "Followed up within the SLA",
        "SLA内フォロー率",
        True,
    ),
)
TEAMS = {"marketing": ("Marketing", "マーケティング"), "sales": ("Sales", "営業")}
GRAINS = {
    "month": ("month", "月次"),
    "quarter": ("quarter", "四半期"),
    "half_year": ("half-year", "半期"),
    "fiscal_year": ("fiscal year", "年度"),
}
CHANGES = {
    "mql_gained": ("becomes an MQL", "新たにMQL化"),
    "mql_lost": ("is no MQL any more", "MQLでなくなる"),
    "mql_earlier": ("MQL earlier", "MQL化が早まる"),
    "mql_later": ("MQL later", "MQL化が遅れる"),
    "later_mqls_changed": ("a later cycle's MQL moves", "後続サイクルのMQLが変わる"),
    "lost_reason_category_changed": ("lost reason re-classified", "失注理由の分類が変わる"),
    "outcome_changed": ("outcome changed", "結果が変わる"),
    "added": ("appears", "追加"),
    "removed": ("disappears", "消える"),
}
STYLE = """
body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 2rem;
  max-width: 70rem; color: #222; }
h1, h2, h3 { font-weight: 600; } .ja { color: #555; font-weight: 400; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.up { color: #0a6b2d; } .down { color: #a11; } .same { color: #888; }
.fail { color: #a11; font-weight: 600; } .pass { color: #0a6b2d; }
code { background: #f4f4f4; padding: 0 .2rem; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _both(english: str, japanese: str) -> str:
    return f'{_e(english)} <span class="ja">{_e(japanese)}</span>'


def _number(value: float | None, rate: bool) -> str:
    if value is None:
        return "–"
    return (
        f"{value:.1%}"
        if rate
        else f"{value:,.0f}"
        if float(value).is_integer()
        else f"{value:,.1f}"
    )


def _delta(value: float | None, rate: bool) -> str:
    if value is None:
        return '<span class="same">–</span>'
    if abs(value) < 1e-12:
        return '<span class="same">±0</span>'
    css = "up" if value > 0 else "down"
    text = (
        f"{value * 100:+.1f} pt"
        if rate
        else f"{value:+,.0f}"
        if float(value).is_integer()
        else f"{value:+,.1f}"
    )
    return f'<span class="{css}">{_e(text)}</span>'


def _chart(
    title: str, periods: Sequence[tuple[str, float | None, float | None]], rate: bool
) -> str:
    """Grouped bars, current (grey) and proposed (blue), one group per period."""
    width, height, left, bottom = 640, 220, 48, 36
    values = [v for _, c, p in periods for v in (c, p) if v is not None]
    top = max(values, default=0.0) or 1.0
    group = (width - left) / max(len(periods), 1)
    bar = group * 0.35
    parts = [
        f'<svg role="img" aria-label="{_e(title)}" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    scale = (height - bottom - 10) / top
    for index, (label, current, proposed) in enumerate(periods):
        x = left + index * group + group * 0.1
        for offset, value, colour in ((0, current, "#9aa0a6"), (bar, proposed, "#1a73e8")):
            if value is None:
                continue
            bar_height = value * scale
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{height - bottom - bar_height:.1f}"'
                f' width="{bar:.1f}" height="{bar_height:.1f}" fill="{colour}">'
                f"<title>{_e(label)}: {_e(_number(value, rate))}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{height - bottom + 14}" font-size="10"'
            f' text-anchor="middle">{_e(label)}</text>'
        )
    parts.append(
        f'<text x="4" y="12" font-size="10">{_e(_number(top, rate))}</text>'
        f'<text x="{left}" y="{height - 4}" font-size="10" fill="#9aa0a6">■ current 現行</text>'
        f'<text x="{left + 110}" y="{height - 4}" font-size="10" fill="#1a73e8">'
        "■ proposed 提案</text></svg>"
    )
    return "".join(parts)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    return con.execute(sql, list(params)).fetchall()


def _team_section(con: duckdb.DuckDBPyConnection, team: str) -> str:
    measures = [h for h in HEADLINES if h[0] == team]
    out = [f"<h3>{_both(*TEAMS[team])}</h3>"]
    for grain in TEAM_GRAINS[team]:
        header = "".join(f"<th>{_both(h[3], h[4])}</th>" for h in measures)
        out.append(f"<h4>{_both(*GRAINS[grain])}</h4><table><tr><th>period 期間</th>{header}</tr>")
        periods = [
            p
            for (p,) in _rows(
                con,
                "select distinct period_label from team_headlines where team = ? and grain = ?"
                " order by period_label desc limit ?",
                [team, grain, PERIODS_SHOWN],
            )
        ]
        for period in sorted(periods):
            cells = []
            for _, metric, measure, _, _, rate in measures:
                found = _rows(
                    con,
                    "select current_value, proposed_value, difference from team_headlines"
                    " where team = ? and grain = ? and period_label = ? and metric = ?"
                    " and measure = ?",
                    [team, grain, period, metric, measure],
                )
                current, proposed, difference = found[0] if found else (None, None, None)
                cells.append(
                    f"<td>{_e(_number(current, rate))} → {_e(_number(proposed, rate))}"
                    f" ({_delta(difference, rate)})</td>"
                )
            out.append(f"<tr><td>{_e(period)}</td>{''.join(cells)}</tr>")
        out.append("</table>")
    _, metric, measure, english, japanese, rate = measures[1]
    grain = TEAM_GRAINS[team][-1] if team == "marketing" else TEAM_GRAINS[team][1]
    series = _rows(
        con,
        "select period_label, current_value, proposed_value from team_headlines"
        " where team = ? and grain = ? and metric = ? and measure = ? order by period_label",
        [team, grain, metric, measure],
    )
    out.append(_chart(f"{english} {japanese}", series[-PERIODS_SHOWN:], rate))
    return "".join(out)


def write_report(
    database: Path, base: LoadedDefinitions, proposal: LoadedDefinitions, path: Path
) -> Path:
    """Render the page for the proposal database `database` into `path`."""
    labels = {
        c.code: (c.label_en, c.label_ja) for c in proposal.definitions.lost_reasons.categories
    } | {c.code: (c.label_en, c.label_ja) for c in base.definitions.lost_reasons.categories}
    unclassified = proposal.definitions.lost_reasons.unclassified
    labels[unclassified.code] = (unclassified.label_en, unclassified.label_ja)
    mql = next(s for s in proposal.definitions.stages if s.code == "mql")
    con = duckdb.connect(str(database), read_only=True)
    try:
        rules = _rows(con, "select text from rule_changes")
        persons = _rows(
            con,
            "select person_id, change, base_first_mql_at, proposed_first_mql_at from person_changes"
            " order by change = 'mql_gained' desc, change = 'mql_lost' desc,"
            " abs(epoch(proposed_first_mql_at) - epoch(base_first_mql_at)) desc nulls last,"
            " person_id limit ?",
            [MOVERS_SHOWN],
        )
        person_counts = _rows(
            con, "select change, count(*) from person_changes group by 1 order by 1"
        )
        deals = _rows(
            con,
            "select opportunity_id, change, base_lost_reason_category,"
            " proposed_lost_reason_category from opportunity_changes order by opportunity_id"
            " limit ?",
            [MOVERS_SHOWN],
        )
        deal_count = _rows(con, "select count(*) from opportunity_changes")[0][0]
        tests = _rows(
            con,
            "select side, test, status, failures from test_outcomes"
            " where status <> 'pass'"
            " union all select side, suite || ': ' || check_name || ' (' || definition || ')',"
            " case when blocking then 'would block the publish' else 'warning' end,"
            " coalesce(unexpected_count, 0) from gate_outcomes where not success"
            " order by 1, 2",
        )
        gate = _rows(
            con,
            "select side, check_name, value, limit_value, passes from gate_figures"
            " order by check_name, side",
        )
        sections = [_team_section(con, team) for team in TEAMS]
    finally:
        con.close()

    def category(code: str | None) -> str:
        english, japanese = labels.get(code or "", (code or "–", ""))
        return _both(english, japanese)

    body = [
        f"<h1>{_both('Definition proposal', '定義変更の提案')}</h1>",
        f"<p>{_both('Current', '現行')}: version {_e(base.version)} ({_e(base.sha256[:12])}) →"
        f" {_both('proposed', '提案')}: version {_e(proposal.version)}"
        f" ({_e(proposal.sha256[:12])}, <code>{_e(proposal.path.name)}</code>)</p>",
        f"<h2>{_both('What changes, as rules', 'ルールの変更')}</h2>",
        "<ul>" + "".join(f"<li>{_e(t)}</li>" for (t,) in rules) + "</ul>"
        if rules
        else f"<p>{_both('No rule changes.', 'ルールの変更はありません。')}</p>",
        f"<h2>{_both('What each team is measured on', 'チーム別の主要指標')}</h2>",
        *sections,
        f"<h2>{_both(mql.label_en, mql.label_ja)}: {_both('persons who move', '変化する人')}</h2>",
        "<p>"
        + ", ".join(f"{_both(*CHANGES.get(c, (c, '')))}: {n:,}" for c, n in person_counts)
        + "</p>"
        if person_counts
        else f"<p>{_both('Nobody moves.', '変化する人はいません。')}</p>",
        "<table><tr><th>person 人 (id)</th><th>change 変化</th><th>current 現行</th>"
        "<th>proposed 提案</th></tr>"
        + "".join(
            f"<tr><td><code>{_e(p[:12])}</code></td><td>{_both(*CHANGES.get(c, (c, '')))}</td>"
            f"<td>{_e(b)}</td><td>{_e(n)}</td></tr>"
            for p, c, b, n in persons
        )
        + "</table>",
        f"<h2>{_both('Deals that move', '変化する商談')} ({deal_count:,})</h2>",
        "<table><tr><th>deal 商談 (id)</th><th>change 変化</th><th>current 現行</th>"
        "<th>proposed 提案</th></tr>"
        + "".join(
            f"<tr><td><code>{_e(o)}</code></td><td>{_both(*CHANGES.get(c, (c, '')))}</td>"
            f"<td>{category(b)}</td><td>{category(n)}</td></tr>"
            for o, c, b, n in deals
        )
        + "</table>",
        f"<h2>{_both('What the quality gate would say', '品質ゲートの判定')}</h2>",
        "<table><tr><th>check 検査</th><th>side</th><th>value 値</th><th>limit 上限</th>"
        "<th></th></tr>"
        + "".join(
            f"<tr><td>{_e(name)}</td><td>{_e(side)}</td><td>{_e(_number(value, True))}</td>"
            f'<td>{_e(_number(limit, True))}</td><td class="{"pass" if ok else "fail"}">'
            f"{'passes 合格' if ok else 'would fail 不合格'}</td></tr>"
            for side, name, value, limit, ok in gate
        )
        + "</table>",
        "<ul>"
        + "".join(
            f'<li class="fail">{_e(side)}: {_e(test)} {_e(status)} ({failures} rows)</li>'
            for side, test, status, failures in tests
        )
        + "</ul>"
        if tests
        else f"<p>{_both(ALL_TESTS_PASS, ALL_TESTS_PASS_JA)}</p>",
    ]
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Definition proposal {_e(proposal.version)}</title><style>{STYLE}</style>"
        f"</head><body>{''.join(body)}</body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path

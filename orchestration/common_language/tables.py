"""The definitions as warehouse tables: one table per list in the file, plain rows.

dbt reads these tables (as the `definitions` source), so every rule reaches SQL as data
bound to a parameter, never as SQL text. Every row carries `definitions_version`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from orchestration.common_language.load import LoadedDefinitions

SCHEMA = "definitions"

Row = tuple[object, ...]


TABLES: dict[str, str] = {  # name -> description; the asset declares these up front
    "agreement": "The scalar rules of the agreed definitions: one row per version in force.",
    "changelog": "Who agreed what, version by version.",
    "stages": "Lifecycle stages in funnel order, with labels, owner and entry rule.",
    "stage_transitions": "Allowed stage changes (path names the direct-to-sales route).",
    "touch_types": "Touch types with channel, intent class, MQL weight and what they count as.",
    "touch_source_mappings": (
        "Which source value (form rule, email event type...) is which touch, in rule order;"
        " a null touch type is an agreed non-touch."
    ),
    "industries": "Industry codes with the CRM and Japanese labels that map to them, and fit.",
    "size_bands": "Employee-count bands (inclusive bounds, last open-ended) and fit.",
    "seniority_titles": "Job titles as written, their seniority level and its MQL points.",
    "crm_lead_statuses": "The CRM lead status picklist and the stage each value means.",
    "rejection_reasons": "Reasons sales may give when it does not accept or keep a lead.",
    "opportunity_stages": "The CRM opportunity stage picklist in order.",
    "lost_reason_categories": "Lost-reason categories in matching order, unclassified last.",
    "lost_reason_patterns": "Substrings that put a lost-reason text into a category.",
    "business_weekdays": "ISO weekdays (Monday = 1) on which the business SLA clock runs.",
    "holidays": "Dates on which the business SLA clock does not run.",
    "outreach_email_types": "Email types that count as target-list outreach.",
}


@dataclass(frozen=True)
class DefinitionsTable:
    name: str
    description: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type), definitions_version first
    rows: tuple[Row, ...]


def _table(
    name: str, columns: list[tuple[str, str]], version: str, rows: list[Row]
) -> DefinitionsTable:
    return DefinitionsTable(
        name,
        TABLES[name],
        (("definitions_version", "varchar"), *columns),
        tuple((version, *row) for row in rows),
    )


def definition_tables(loaded: LoadedDefinitions) -> list[DefinitionsTable]:
    d, v = loaded.definitions, loaded.version
    hours = d.acceptance.business_hours
    points = d.mql_rule.seniority_points
    fit_industries, fit_bands = set(d.mql_rule.fit.industries), set(d.mql_rule.fit.size_bands)
    lost = d.lost_reasons
    sources = d.touch_sources
    not_touches = sources.not_touches
    mappings = [  # (source kind, match on, value, touch type or None, rule order)
        *(
            ("form", rule.match_on, rule.value, rule.touch_type, order)
            for order, rule in enumerate(sources.forms, start=1)
        ),
        *(("email_event_type", "value", k, t, 1) for k, t in sources.email_event_types.items()),
        *(("email_event_type", "value", k, None, 1) for k in not_touches.email_event_types),
        *(("attendance_status", "value", k, t, 1) for k, t in sources.attendance_statuses.items()),
        *(("attendance_status", "value", k, None, 1) for k in not_touches.attendance_statuses),
        ("business_card", "value", "*", sources.business_card, 1),
    ]
    return [
        _table(
            "agreement",
            [
                ("definitions_sha256", "varchar"),
                ("reporting_timezone", "varchar"),
                ("fiscal_year_start_month", "integer"),
                ("mql_threshold", "integer"),
                ("mql_lookback_days", "integer"),
                ("mql_requires_prior_inquiry", "boolean"),
                ("mql_resets_after_cycle_end", "boolean"),
                ("sla_hours", "integer"),
                ("sla_clock", "varchar"),
                ("business_day_start_minute", "integer"),
                ("business_day_end_minute", "integer"),
                ("max_unclassified_lost_share", "double"),
                ("opportunity_window_days", "integer"),
            ],
            v,
            [
                (
                    loaded.sha256,
                    d.calendar.timezone,
                    d.calendar.fiscal_year_start_month,
                    d.mql_rule.threshold,
                    d.mql_rule.lookback_days,
                    d.mql_rule.requires_prior_inquiry,
                    d.mql_rule.resets_after_cycle_end,
                    d.acceptance.sla_hours,
                    d.acceptance.sla_clock,
                    hours.start.hour * 60 + hours.start.minute,
                    hours.end.hour * 60 + hours.end.minute,
                    lost.max_unclassified_share,
                    d.metrics.opportunity_window_days,
                )
            ],
        ),
        _table(
            "changelog",
            [
                ("version", "varchar"),
                ("agreed_on", "date"),
                ("agreed_by", "varchar[]"),
                ("change", "varchar"),
            ],
            v,
            [(e.version, e.date, e.agreed_by, c) for e in d.changelog for c in e.changes],
        ),
        _table(
            "stages",
            [
                ("stage_code", "varchar"),
                ("stage_order", "integer"),
                ("label_en", "varchar"),
                ("label_ja", "varchar"),
                ("owner_team", "varchar"),
                ("entry_rule", "varchar"),
            ],
            v,
            [
                (s.code, i, s.label_en, s.label_ja, s.owner, s.entry_rule)
                for i, s in enumerate(d.stages, start=1)
            ],
        ),
        _table(
            "stage_transitions",
            [("from_stage", "varchar"), ("to_stage", "varchar"), ("path", "varchar")],
            v,
            [(t.from_, t.to, t.path) for t in d.transitions],
        ),
        _table(
            "touch_types",
            [
                ("touch_type", "varchar"),
                ("label_en", "varchar"),
                ("label_ja", "varchar"),
                ("channel", "varchar"),
                ("intent", "varchar"),
                ("weight", "integer"),
                ("counts_as_inquiry", "boolean"),
                ("counts_as_response", "boolean"),
                ("is_direct_to_sales", "boolean"),
                ("is_person_action", "boolean"),
            ],
            v,
            [
                (
                    t.code,
                    t.label_en,
                    t.label_ja,
                    t.channel,
                    t.intent,
                    t.weight,
                    t.counts_as_inquiry,
                    t.counts_as_response,
                    t.direct_to_sales,
                    t.person_action,
                )
                for t in d.touch_types
            ],
        ),
        _table(
            "touch_source_mappings",
            [
                ("source_kind", "varchar"),
                ("match_on", "varchar"),
                ("source_value", "varchar"),
                ("touch_type", "varchar"),
                ("rule_order", "integer"),
            ],
            v,
            mappings,
        ),
        _table(
            "industries",
            [
                ("industry_code", "varchar"),
                ("label_en", "varchar"),
                ("label_ja", "varchar"),
                ("is_fit", "boolean"),
            ],
            v,
            [
                (i.code, i.label_en, i.label_ja, i.code in fit_industries)
                for i in d.firmographics.industries
            ],
        ),
        _table(
            "size_bands",
            [
                ("size_band", "varchar"),
                ("min_employees", "integer"),
                ("max_employees", "integer"),
                ("label_ja", "varchar"),
                ("is_fit", "boolean"),
            ],
            v,
            [
                (b.code, b.min_employees, b.max_employees, b.label_ja, b.code in fit_bands)
                for b in d.firmographics.size_bands
            ],
        ),
        _table(
            "seniority_titles",
            [("job_title", "varchar"), ("seniority", "varchar"), ("seniority_points", "integer")],
            v,
            [
                (t, level, points[level])
                for level, titles in d.firmographics.seniority.items()
                for t in titles
            ],
        ),
        _table(
            "crm_lead_statuses",
            [("lead_status", "varchar"), ("stage_code", "varchar")],
            v,
            list(d.acceptance.crm_lead_statuses.items()),
        ),
        _table(
            "rejection_reasons",
            [
                ("reason_code", "varchar"),
                ("label_en", "varchar"),
                ("label_ja", "varchar"),
                ("outcome", "varchar"),
            ],
            v,
            [(r.code, r.label_en, r.label_ja, r.outcome) for r in d.acceptance.rejection_reasons],
        ),
        _table(
            "opportunity_stages",
            [
                ("stage_name", "varchar"),
                ("stage_order", "integer"),
                ("is_closed", "boolean"),
                ("is_won", "boolean"),
            ],
            v,
            [(s.name, s.order, s.closed, s.won) for s in d.opportunity_stages],
        ),
        _table(
            "lost_reason_categories",
            [
                ("category_code", "varchar"),
                ("category_order", "integer"),
                ("label_en", "varchar"),
                ("label_ja", "varchar"),
                ("is_unclassified", "boolean"),
            ],
            v,
            [
                *(
                    (c.code, i, c.label_en, c.label_ja, False)
                    for i, c in enumerate(lost.categories, start=1)
                ),
                (
                    lost.unclassified.code,
                    len(lost.categories) + 1,
                    lost.unclassified.label_en,
                    lost.unclassified.label_ja,
                    True,
                ),
            ],
        ),
        _table(
            "lost_reason_patterns",
            [("category_code", "varchar"), ("pattern", "varchar")],
            v,
            [(c.code, p) for c in lost.categories for p in c.patterns],
        ),
        _table(
            "business_weekdays",
            [("iso_weekday", "integer")],
            v,
            [(day,) for day in hours.weekdays],
        ),
        _table(
            "holidays",
            [("holiday_on", "date")],
            v,
            [(day,) for day in hours.holidays],
        ),
        _table(
            "outreach_email_types",
            [("email_type", "varchar")],
            v,
            [(t,) for t in d.target_list_response.outreach_email_types],
        ),
    ]


def write_tables(
    con: duckdb.DuckDBPyConnection, tables: Iterable[DefinitionsTable], schema: str = SCHEMA
) -> None:
    """Replace each table in `schema` (values bound as data, never spliced into SQL); the
    caller owns the transaction."""
    con.execute(f"create schema if not exists {schema}")
    for table in tables:
        columns = ", ".join(f"{name} {kind}" for name, kind in table.columns)
        con.execute(f"create or replace table {schema}.{table.name} ({columns})")
        if table.rows:
            marks = ", ".join("?" for _ in table.columns)
            con.executemany(f"insert into {schema}.{table.name} values ({marks})", table.rows)

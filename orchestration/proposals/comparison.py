"""The comparison tables of a proposal, computed in DuckDB from the two sandboxes.

Written to `<proposal>/proposal.duckdb` (pseudonymous ids only: the marts carry no names,
emails or phone numbers):

- `rule_changes`: the rule diff (path, kind, before, after, text);
- `metric_changes`: every metric mart, per grain, period and slice (the mart's
  dimensions, as `slice`), each measure's current (base) and proposed value and the
  difference (rows present on one side only have NULL on the other; a row's notes, such
  as why a rate is null, are not part of its key);
- `team_headlines`: the totals (`is_total`) of what each team is measured on, on each
  team's time axis (sales: month and quarter; marketing: half-year and fiscal year);
- `person_changes`: persons whose MQL instants changed: the first gained, lost, earlier or
  later, or a later cycle's MQL moved, with the changed rules that decide MQLs;
- `lifecycle_changes`: per person and lifecycle cycle, each field that moved (stage dates,
  acceptance status and cohort, SLA follow-up), before and after, with the rules;
- `opportunity_changes`: deals whose lost-reason category or outcome moved, with the
  changed lost-reason rules;
- `test_outcomes`: each dbt data test on each side (pass, warn, fail, error);
- `gate_figures`: the agreed limits the quality gate holds each side to, with each side's
  value (the unclassified share of lost deals against `max_unclassified_share`);
- `gate_outcomes`: every Great Expectations check of the marts' suites on each side
  (`gate.py`), blocking or not, passed or failed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingest.loader import sql_literal
from orchestration.proposals.gate import GateOutcome
from orchestration.proposals.rule_diff import RuleChange
from orchestration.proposals.sandbox import SideBuild

MARTS = "marts"
# measured per team, and the grains each team plans in
TEAM_METRICS = {
    "marketing": {
        "metric_funnel_waterfall",
        "metric_industry_response_rate",
        "metric_opportunity_rate_after_first_touch",
        "metric_time_to_opportunity",
    },
    "sales": {
        "metric_mql_acceptance",
        "metric_followup_sla",
        "metric_mql_rejection_reasons",
        "metric_lost_reasons",
        "metric_opportunity_stage_advances",
    },
}
TEAM_GRAINS = {"marketing": ("half_year", "fiscal_year"), "sales": ("month", "quarter")}
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")
NOT_COMPARED = {"definitions_version"}
# notes beside a metric row, not what identifies it: why a rate is null, the data's date,
# the SLA clock in force; as keys they would unpair a row whose note moved with its values
NOT_KEYS = ("data_as_of", "is_window_complete", "sla_clock")
NOTE_SUFFIX = "_null_reason"
PERIOD_COLUMNS = ("grain", "period_label", "period_index", "period_start_date", "period_end_date")
# which rules decide what, by the changed rule's path
MQL_RULES = ("mql_rule", "touch_types", "touch_sources", "firmographics", "stages", "transitions")
LOST_RULES = ("lost_reasons", "opportunity_stages")
ACCEPTANCE_RULES = ("acceptance",)


def _columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[tuple[str, str]]:
    return [
        (str(name), str(kind))
        for name, kind in con.execute(
            "select column_name, data_type from duckdb_columns()"
            " where database_name = ? and schema_name = ? and table_name = ?"
            " order by column_index",
            [database, MARTS, table],
        ).fetchall()
    ]


def _is_measure(name: str, kind: str) -> bool:
    return kind.upper().startswith(NUMERIC) and not name.endswith(("_index", "_order"))


def _relevant(changes: list[RuleChange], prefixes: tuple[str, ...]) -> str:
    return "; ".join(c.text for c in changes if c.path.split(".")[0].split("[")[0] in prefixes)


def _metric_changes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table metric_changes (
            metric varchar, grain varchar, period_label varchar, period_start_date date,
            slice varchar, is_total boolean, measure varchar,
            current_value double, proposed_value double, difference double
        )
        """
    )
    metrics = [
        str(t)
        for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'base'"
            " and schema_name = ? and starts_with(table_name, 'metric_') order by 1",
            [MARTS],
        ).fetchall()
    ]
    for metric in metrics:
        columns = [
            c
            for c in _columns(con, "base", metric)
            if c[0] not in (*NOT_COMPARED, *NOT_KEYS) and not c[0].endswith(NOTE_SUFFIX)
        ]
        dimensions = [n for n, k in columns if not _is_measure(n, k)]
        measures = [n for n, k in columns if _is_measure(n, k)]
        if not measures:
            continue
        slice_parts = [d for d in dimensions if d not in PERIOD_COLUMNS and d != "is_total"]
        slice_text = (
            "concat_ws('; ', "
            + ", ".join(f"'{d}=' || coalesce(cast({d} as varchar), '∅')" for d in slice_parts)
            + ")"
            if slice_parts
            else "''"
        )
        join = " and ".join(f"b.{d} is not distinct from p.{d}" for d in dimensions)
        pairs = ", ".join(
            f"{{'measure': '{m}', 'current_value': cast(b.{m} as double),"
            f" 'proposed_value': cast(p.{m} as double)}}"
            for m in measures
        )
        keyed = ", ".join(f"coalesce(b.{d}, p.{d}) as {d}" for d in dimensions)

        def dimension(name: str, present: list[str] = dimensions) -> str:
            return name if name in present else "null"

        con.execute(
            f"""
            insert into metric_changes
            with b as (select * from base.{MARTS}.{metric}),
            p as (select * from proposed.{MARTS}.{metric}),
            paired as (
                select {keyed}, unnest([{pairs}]) as pair
                from b full outer join p on {join}
            )
            select '{metric}', {dimension("grain")}, {dimension("period_label")},
                {dimension("period_start_date")}, {slice_text}, {dimension("is_total")},
                pair.measure, pair.current_value, pair.proposed_value,
                pair.proposed_value - pair.current_value
            from paired
            """
        )


def _team_headlines(con: duckdb.DuckDBPyConnection) -> None:
    rows = []
    for team, metrics in TEAM_METRICS.items():
        names = ", ".join(f"'{m}'" for m in sorted(metrics))
        grains = ", ".join(f"'{g}'" for g in TEAM_GRAINS[team])
        rows.append(
            f"select '{team}' as team, * from metric_changes"
            f" where metric in ({names}) and grain in ({grains}) and is_total"
        )
    con.execute("create table team_headlines as " + " union all ".join(rows))


def _person_changes(con: duckdb.DuckDBPyConnection, rules: str) -> None:
    con.execute(
        f"""
        create table person_changes as
        with per_side as (
            select 'base' as side, person_id,
                list(mql_at order by mql_at) filter (where mql_at is not null) as mqls
            from base.{MARTS}.fct_lead_lifecycle group by person_id
            union all
            select 'proposed', person_id,
                list(mql_at order by mql_at) filter (where mql_at is not null)
            from proposed.{MARTS}.fct_lead_lifecycle group by person_id
        ),
        paired as (
            select person_id,
                coalesce(max(mqls) filter (where side = 'base'), []) as base_mqls,
                coalesce(max(mqls) filter (where side = 'proposed'), []) as proposed_mqls
            from per_side group by person_id
        )
        select person_id,
            base_mqls[1] as base_first_mql_at, proposed_mqls[1] as proposed_first_mql_at,
            len(base_mqls) as base_mql_count, len(proposed_mqls) as proposed_mql_count,
            case
                when len(base_mqls) = 0 then 'mql_gained'
                when len(proposed_mqls) = 0 then 'mql_lost'
                when proposed_mqls[1] < base_mqls[1] then 'mql_earlier'
                when proposed_mqls[1] > base_mqls[1] then 'mql_later'
                else 'later_mqls_changed'
            end as change,
            ? as rules
        from paired
        where base_mqls <> proposed_mqls
        """,
        [rules],
    )


def _lifecycle_changes(con: duckdb.DuckDBPyConnection, rules: str) -> None:
    """Per person and cycle, every lifecycle field whose value moved (stage dates, the
    acceptance cohort and status, the SLA follow-up), as text before and after."""
    keys = ("person_id", "cycle_number")
    fields = [
        name
        for name, _ in _columns(con, "base", "fct_lead_lifecycle")
        if name not in (*keys, "lifecycle_id", *NOT_COMPARED)
    ]
    pairs = ", ".join(
        f"{{'field': '{f}', 'base_value': cast(b.{f} as varchar),"
        f" 'proposed_value': cast(p.{f} as varchar)}}"
        for f in fields
    )
    con.execute(
        f"""
        create table lifecycle_changes as
        with paired as (
            select coalesce(b.person_id, p.person_id) as person_id,
                coalesce(b.cycle_number, p.cycle_number) as cycle_number,
                unnest([{pairs}]) as pair
            from base.{MARTS}.fct_lead_lifecycle as b
            full outer join proposed.{MARTS}.fct_lead_lifecycle as p
                on b.person_id = p.person_id and b.cycle_number = p.cycle_number
        )
        select person_id, cycle_number, pair.field as field, pair.base_value as base_value,
            pair.proposed_value as proposed_value, ? as rules
        from paired
        where pair.base_value is distinct from pair.proposed_value
        """,
        [rules],
    )


def _opportunity_changes(con: duckdb.DuckDBPyConnection, rules: str) -> None:
    con.execute(
        f"""
        create table opportunity_changes as
        select coalesce(b.opportunity_id, p.opportunity_id) as opportunity_id,
            coalesce(b.person_id, p.person_id) as person_id,
            b.outcome as base_outcome, p.outcome as proposed_outcome,
            b.lost_reason_category as base_lost_reason_category,
            p.lost_reason_category as proposed_lost_reason_category,
            case
                when b.opportunity_id is null then 'added'
                when p.opportunity_id is null then 'removed'
                when b.outcome is distinct from p.outcome then 'outcome_changed'
                else 'lost_reason_category_changed'
            end as change,
            ? as rules
        from base.{MARTS}.fct_opportunities as b
        full outer join proposed.{MARTS}.fct_opportunities as p
            on b.opportunity_id = p.opportunity_id
        where b.opportunity_id is null or p.opportunity_id is null
            or b.outcome is distinct from p.outcome
            or b.lost_reason_category is distinct from p.lost_reason_category
        """,
        [rules],
    )


def _gate_figures(con: duckdb.DuckDBPyConnection, sides: tuple[SideBuild, ...]) -> None:
    con.execute(
        "create table gate_figures (side varchar, check_name varchar, value double,"
        " limit_value double, passes boolean)"
    )
    for side in sides:
        lost = side.definitions.definitions.lost_reasons
        (share,) = con.execute(
            f"""
            select count(*) filter (where lost_reason_category = ?) / nullif(count(*), 0)
            from {side.side}.{MARTS}.fct_opportunities where outcome = 'lost'
            """,
            [lost.unclassified.code],
        ).fetchone() or (None,)
        con.execute(
            "insert into gate_figures values (?, 'unclassified share of lost deals', ?, ?, ?)",
            [
                side.side,
                share,
                lost.max_unclassified_share,
                share is None or share <= lost.max_unclassified_share,
            ],
        )


def _gate_outcomes(con: duckdb.DuckDBPyConnection, outcomes: Sequence[GateOutcome]) -> None:
    con.execute(
        "create table gate_outcomes (side varchar, suite varchar, check_name varchar,"
        " definition varchar, blocking boolean, success boolean, unexpected_count bigint)"
    )
    rows = [
        [o.side, o.suite, o.check, o.definition, o.blocking, o.success, o.unexpected_count]
        for o in outcomes
    ]
    if rows:
        con.executemany("insert into gate_outcomes values (?, ?, ?, ?, ?, ?, ?)", rows)


def write_comparison(
    path: Path,
    base: SideBuild,
    proposed: SideBuild,
    changes: list[RuleChange],
    gate: Sequence[GateOutcome] = (),
) -> None:
    """Write every comparison table into a new `path`."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(f"attach {sql_literal(str(base.warehouse))} as base (read_only)")
        con.execute(f"attach {sql_literal(str(proposed.warehouse))} as proposed (read_only)")
        con.execute(
            "create table rule_changes (path varchar, kind varchar, before varchar,"
            " after varchar, text varchar)"
        )
        rows = [
            [
                c.path,
                c.kind,
                json.dumps(c.before, ensure_ascii=False),
                json.dumps(c.after, ensure_ascii=False),
                c.text,
            ]
            for c in changes
        ]
        if rows:
            con.executemany("insert into rule_changes values (?, ?, ?, ?, ?)", rows)
        _metric_changes(con)
        _team_headlines(con)
        _person_changes(con, _relevant(changes, MQL_RULES))
        _lifecycle_changes(con, _relevant(changes, (*MQL_RULES, *ACCEPTANCE_RULES)))
        _opportunity_changes(con, _relevant(changes, LOST_RULES))
        con.execute(
            "create table test_outcomes (side varchar, test varchar, model varchar,"
            " status varchar, failures bigint, message varchar)"
        )
        outcomes = [
            [side.side, t.name, t.model, t.status, t.failures, t.message]
            for side in (base, proposed)
            for t in side.tests
        ]
        if outcomes:
            con.executemany("insert into test_outcomes values (?, ?, ?, ?, ?, ?)", outcomes)
        _gate_figures(con, (base, proposed))
        _gate_outcomes(con, gate)
        con.execute("detach base")
        con.execute("detach proposed")
    finally:
        con.close()

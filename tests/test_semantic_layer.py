"""The dbt semantic layer, built through Dagster from generated sources, against the
generator's ground truth (an independent account of what happened): 0 differences."""

from __future__ import annotations

import duckdb

from tests.builds import Built


def _differences(con: duckdb.DuckDBPyConnection, expected: str, actual: str) -> list[tuple]:
    return con.execute(
        f"""
        select 'missing', * from ({expected} except {actual})
        union all
        select 'unexpected', * from ({actual} except {expected})
        order by all limit 20
        """
    ).fetchall()


def test_every_stage_date_matches_the_truth(built: Built):
    con = built.connect()
    expected = """
        select p.email, cast(s.cycle as integer), s.stage, cast(s.entered_at as timestamp)
        from truth_person_stages as s inner join truth_persons as p using (person_id)
    """
    actual = """
        select p.email, t.cycle_number, t.stage_code, t.entered_at
        from marts.fct_stage_transitions as t inner join persons_with_email as p using (person_id)
    """
    assert con.execute(f"select count(*) from ({expected})").fetchall()[0][0] > 100
    assert _differences(con, expected, actual) == []


def test_every_cycle_matches_the_truth(built: Built):
    con = built.connect()
    expected = """
        select p.email, cast(c.cycle as integer), c.mql_trigger,
            cast(nullif(c.first_followup_at, '') as timestamp),
            cast(nullif(c.sal_at, '') as timestamp), cast(nullif(c.rejected_at, '') as timestamp),
            nullif(c.rejection_reason, ''), nullif(c.end_stage, ''),
            cast(nullif(c.end_at, '') as timestamp)
        from truth_cycles as c inner join truth_persons as p using (person_id)
    """
    actual = """
        select p.email, l.cycle_number, l.mql_trigger, l.first_followup_at, l.sal_at,
            l.rejected_at, l.rejection_reason, l.end_stage, l.end_at
        from marts.fct_lead_lifecycle as l inner join persons_with_email as p using (person_id)
    """
    assert _differences(con, expected, actual) == []


def test_every_opportunity_matches_the_truth(built: Built):
    con = built.connect()
    expected = """
        select o.opportunity_id, p.email, o.outcome, cast(o.created_at as timestamp),
            cast(nullif(o.closed_at, '') as timestamp), nullif(o.lost_reason, ''),
            nullif(o.lost_text, ''), cast(o.stage_changes as integer),
            cast(o.advances as integer), cast(o.regressions as integer)
        from truth_opportunities as o inner join truth_persons as p using (person_id)
    """
    actual = """
        select o.opportunity_id, p.email, o.outcome, o.created_at, o.closed_at,
            o.lost_reason_category, o.lost_reason_text, o.stage_changes, o.stage_advances,
            o.stage_regressions
        from marts.fct_opportunities as o inner join persons_with_email as p using (person_id)
    """
    assert con.execute("select count(*) from marts.fct_opportunities").fetchall()[0][0] > 10
    assert _differences(con, expected, actual) == []


def test_persons_and_accounts_match_the_truth(built: Built):
    con = built.connect()
    expected = """
        select p.email, a.domain, p.industry, p.seniority,
            cast(nullif(p.first_touch_at, '') as timestamp), nullif(p.first_touch_kind, ''),
            cast(nullif(p.inquiry_at, '') as timestamp)
        from truth_persons as p inner join truth_accounts as a using (account_index)
    """
    actual = """
        select p.email, a.account_domain, a.industry_code, p.seniority, p.first_touch_at,
            p.first_touch_type, p.inquiry_at
        from persons_with_email as p inner join marts.dim_accounts as a using (account_id)
    """
    assert _differences(con, expected, actual) == []


def test_size_and_fit_are_true_where_the_data_tells_and_unknown_is_no_fit(built: Built):
    """Only the CRM and target lists carry employee counts: an account none of them knows
    has no size band, and so no fit. Nobody the truth made an MQL by score is such a person."""
    con = built.connect()
    rows = con.execute(
        """
        select p.email, t.size_band, t.is_fit = 'True', d.size_band, d.is_fit,
            exists (
                select 1 from truth_cycles as c
                where c.person_id = t.person_id and c.mql_trigger != 'demo_request'
            ) as scored_mql
        from truth_persons as t
        inner join persons_with_email as p on p.email = t.email
        inner join marts.dim_persons as d on d.person_id = p.person_id
        """
    ).fetchall()
    known = [r for r in rows if r[3] is not None]
    unknown = [r for r in rows if r[3] is None]
    assert len(known) > len(rows) / 3
    assert [r for r in known if (r[1], r[2]) != (r[3], r[4])] == []
    assert [r for r in unknown if r[4] or r[5]] == []


def test_every_source_record_resolves_to_its_true_person(built: Built):
    con = built.connect()
    con.execute(
        "create temp table truth_records as select * from read_csv(?, all_varchar = true)",
        [str(built.sample.truth_dir / "person_records.csv")],
    )
    systems = ["hubspot_contact", "crm_lead", "crm_contact", "business_card", "event_attendee"]
    rows = con.execute(
        """
        select r.system, count(*) as records,
            count(*) filter (where m.person_email = p.email) as resolved
        from truth_records as r
        inner join truth_persons as p using (person_id)
        left join intermediate.int_person_records_matched as m
            on m.source_system = r.system and m.record_id = r.record_id
        where r.system in (select unnest(?))
        group by r.system order by r.system
        """,
        [systems],
    ).fetchall()
    assert {system for system, _, _ in rows} == set(systems)
    assert all(records == resolved for _, records, resolved in rows), rows

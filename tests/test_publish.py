"""Publishing: the marts reach analysts through a separate file, swapped in whole."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.common_language.load import DEFAULT_PATH, load_definitions
from orchestration.engines.base import PublishRequest
from orchestration.engines.duckdb_engine import DuckDBEngine
from orchestration.publish.store import publish, read_log
from tests.builds import Built
from tests.privacy_scan import IDENTIFIER_LIKE, IDENTIFIERS_SQL, NAME_LIKE_COLUMNS_ALLOWED


def _marts(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def test_every_mart_is_published_unchanged_and_logged(built: Built):
    marts = _marts(built.warehouse)
    assert {"metric_funnel_waterfall", "fct_opportunities", "dim_persons"} <= set(marts)
    con = duckdb.connect(str(built.published), read_only=True)
    try:
        con.execute("attach ? as warehouse (read_only)", [str(built.warehouse)])
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'published'"
                " order by 1"
            ).fetchall()
        ]
        assert tables == sorted([*marts, "publish_log"])
        for name in marts:  # same rows both ways, duplicates included
            for a, b in (("main", "warehouse.marts"), ("warehouse.marts", "main")):
                diff = con.execute(
                    f"select count(*) from (select * from {a}.{name} except all "
                    f"select * from {b}.{name})"
                ).fetchone()
                assert diff == (0,), (name, a, b)
        log = con.execute("select * from publish_log").df()
    finally:
        con.close()
    assert len(log) == 1
    entry = log.iloc[0]
    assert entry["definitions_version"] == load_definitions(DEFAULT_PATH).version
    assert entry["checks_passed"] > 100 and entry["checks_failed"] == 0
    counts = json.loads(entry["row_counts"])
    assert set(counts) == set(marts) and all(v > 0 for v in counts.values())
    assert built.published_metadata["dim_persons"]["publish_id"].value == entry["publish_id"]


def test_published_metric_assets_carry_charts_and_files(built: Built):
    charts = built.published.parent / "charts"
    for table in ("metric_funnel_waterfall", "metric_followup_sla", "metric_lost_reasons"):
        markdown = built.published_metadata[table]["chart"].value
        assert "data:image/png;base64," in markdown
    for name in ("funnel", "followup_sla_trend", "lost_reasons_trend"):
        png, svg = charts / f"{name}.png", charts / f"{name}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
        assert "<svg" in svg.read_text(encoding="utf-8")[:500]


def test_charts_are_drawn_in_memory_and_written_whole_only_when_asked(built: Built, tmp_path: Path):
    """The publish draws the charts before its swap and writes them after it, so a publish
    that fails at the swap leaves the charts of the version still published."""
    from orchestration.publish.charts import render_all

    con = duckdb.connect(str(built.published), read_only=True)
    try:
        charts = render_all(con, "main", tmp_path / "charts")
    finally:
        con.close()
    assert len(charts) >= 3 and not (tmp_path / "charts").exists()  # drawn, nothing written
    old_png = tmp_path / "charts" / "funnel.png"
    old_png.parent.mkdir()
    old_png.write_bytes(b"the published version's chart")
    for chart in charts.values():
        chart.write()
    written = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert written == sorted(p.name for c in charts.values() for p in c.files)  # no partials
    assert old_png.read_bytes() == charts["metric_funnel_waterfall"].png


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tiny_warehouse(path: Path, rows: int) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute(f"create table marts.m as select range as n from range({rows})")
    finally:
        con.close()


def _labels_in_the_file() -> set[tuple[str, str, int | None, str, str]]:
    """What dim_labels must hold, read from the YAML itself (not the validated model)."""
    d = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    lost = d["lost_reasons"]
    categories = [*lost["categories"], lost["unclassified"]]
    return {
        *(
            ("stage", s["code"], i, s["label_en"], s["label_ja"])
            for i, s in enumerate(d["stages"], 1)
        ),
        *(("touch_type", t["code"], None, t["label_en"], t["label_ja"]) for t in d["touch_types"]),
        *(
            ("lost_reason_category", c["code"], i, c["label_en"], c["label_ja"])
            for i, c in enumerate(categories, 1)
        ),
        *(
            ("rejection_reason", r["code"], None, r["label_en"], r["label_ja"])
            for r in d["acceptance"]["rejection_reasons"]
        ),
        *(
            ("industry", i["code"], None, i["label_en"], i["label_ja"])
            for i in d["firmographics"]["industries"]
        ),
    }


def test_labels_are_published_in_both_languages_as_the_file_names_them(built: Built):
    con = duckdb.connect(str(built.published), read_only=True)
    try:
        published = con.execute(
            "select vocabulary, code, sort_order, label_en, label_ja from dim_labels"
        ).fetchall()
        # every code the published tables carry has its words (rejection reasons: the
        # CRM's value, which is label_en)
        unlabelled = con.execute(
            """
            select 'stage', stage_code from fct_stage_transitions
            where stage_code not in (select code from dim_labels where vocabulary = 'stage')
            union all
            select 'touch_type', first_touch_type from dim_persons
            where first_touch_type not in (
                select code from dim_labels where vocabulary = 'touch_type')
            union all
            select 'lost_reason_category', lost_reason_category from fct_opportunities
            where lost_reason_category not in (
                select code from dim_labels where vocabulary = 'lost_reason_category')
            union all
            select 'rejection_reason', rejection_reason from fct_lead_lifecycle
            where rejection_reason not in (
                select label_en from dim_labels where vocabulary = 'rejection_reason')
            union all
            select 'industry', industry_code from dim_persons
            where industry_code not in (select code from dim_labels where vocabulary = 'industry')
            """
        ).fetchall()
        used = con.execute(
            "select count(distinct rejection_reason) from fct_lead_lifecycle"
        ).fetchall()
    finally:
        con.close()
    assert len(published) == len(set(published))
    assert set(published) == _labels_in_the_file()
    assert unlabelled == []
    assert used[0][0] > 0  # the join above had rejection reasons to label


def test_a_failed_publish_leaves_the_previous_version_untouched(tmp_path: Path):
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    _tiny_warehouse(warehouse, 5)
    publish(warehouse, published, {"m": "marts.m"}, run_id="r1", definitions_version="v")
    before = _fingerprint(published)
    with pytest.raises(duckdb.CatalogException, match="missing"):
        publish(
            warehouse,
            published,
            {"m": "marts.m", "zz": "marts.missing"},
            run_id="r2",
            definitions_version="v",
        )
    assert _fingerprint(published) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published.duckdb", "w.duckdb"]
    assert [row[2] for row in read_log(published)] == ["r1"]


def test_a_publish_whose_charts_fail_is_abandoned_before_the_swap(tmp_path: Path):
    """The publish step draws its charts while the tables are copied; the engine waits for
    them right before the swap (PublishRequest.before_swap), and a chart that failed
    leaves the previous version as it was."""
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    _tiny_warehouse(warehouse, 5)
    publish(warehouse, published, {"m": "marts.m"}, run_id="r1", definitions_version="v")
    before = _fingerprint(published)
    seen: list[list[str]] = []

    def charts_failed() -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        raise RuntimeError("chart funnel: no rows")

    engine = DuckDBEngine(warehouse, published)
    request = PublishRequest(
        tables={"m": "marts.m"}, run_id="r2", definitions_version="v", before_swap=charts_failed
    )
    with pytest.raises(RuntimeError, match="chart funnel: no rows"):
        engine.publish(request)
    # asked once, with the new version written beside the old one and not yet swapped in
    assert len(seen) == 1 and any(name.endswith(".tmp") for name in seen[0])
    assert _fingerprint(published) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published.duckdb", "w.duckdb"]
    assert [row[2] for row in read_log(published)] == ["r1"]


def test_each_publish_appends_to_the_log(tmp_path: Path):
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    _tiny_warehouse(warehouse, 3)
    for run in ("r1", "r2", "r3"):
        publish(warehouse, published, {"m": "marts.m"}, run_id=run, definitions_version="v")
    log = read_log(published)
    assert [row[2] for row in log] == ["r1", "r2", "r3"]
    assert len({row[0] for row in log}) == 3
    assert all(json.loads(row[6]) == {"m": 3} for row in log)


KILLED_PUBLISHER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from orchestration.publish.store import publish
    warehouse, published = Path(sys.argv[1]), Path(sys.argv[2])
    print("ready", flush=True)
    publish(warehouse, published, {"m": "marts.m", "k": "marts.k"}, run_id="new",
            definitions_version="v")
    """
)


def _state(published: Path) -> tuple[int, int, int]:
    """(publishes logged, rows of m, rows of k) of the published file."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        logged = con.execute("select count(*) from publish_log").fetchone()
        m = con.execute("select count(*) from m").fetchone()
        k = con.execute("select count(*) from k").fetchone()
    finally:
        con.close()
    assert logged and m and k
    return logged[0], m[0], k[0]


def test_a_publish_killed_at_any_moment_leaves_old_or_new_never_mixed(tmp_path: Path):
    import random
    import signal
    import time

    old_wh, new_wh = tmp_path / "old.duckdb", tmp_path / "new.duckdb"
    for path, rows in ((old_wh, 1000), (new_wh, 3_000_000)):
        con = duckdb.connect(str(path))
        con.execute("create schema marts")
        con.execute(
            f"create table marts.m as select range as n, md5(range::varchar) as s from range({rows})"
        )
        con.execute(f"create table marts.k as select range as n from range({rows // 2})")
        con.close()
    old_state, new_state = (1, 1000, 500), (2, 3_000_000, 1_500_000)
    published = tmp_path / "published.duckdb"
    started = time.monotonic()
    publish(new_wh, tmp_path / "timing.duckdb", {"m": "marts.m", "k": "marts.k"},
            run_id="t", definitions_version="v")  # fmt: skip
    duration = time.monotonic() - started
    rng = random.Random(20261124)
    seen = []
    for _ in range(8):
        published.unlink(missing_ok=True)
        publish(old_wh, published, {"m": "marts.m", "k": "marts.k"}, run_id="old",
                definitions_version="v")  # fmt: skip
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_PUBLISHER, str(new_wh), str(published)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, duration * 1.3))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        state = _state(published)
        assert state in (old_state, new_state), state
        seen.append(state == new_state)
    assert not all(seen), "every kill came too late to test a half-done publish"
    # the next publish cleans what the killed one left behind
    publish(new_wh, published, {"m": "marts.m", "k": "marts.k"}, run_id="after",
            definitions_version="v")  # fmt: skip
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".published")]
    assert leftovers == []
    assert _state(published)[1:] == new_state[1:]


def test_no_published_column_is_a_direct_identifier(built_small: Built):
    con = duckdb.connect(str(built_small.published), read_only=True)
    try:
        columns = con.execute(
            "select distinct column_name from duckdb_columns() "
            "where database_name = 'published' and regexp_matches(column_name, ?)",
            [IDENTIFIER_LIKE],
        ).fetchall()
        persons = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where table_name = 'dim_persons'"
            ).fetchall()
        }
    finally:
        con.close()
    assert {c for (c,) in columns} == set(NAME_LIKE_COLUMNS_ALLOWED)
    assert {"person_id", "title", "seniority", "account_id", "industry_code"} <= persons


def test_no_published_value_is_an_email_name_or_phone_of_anyone(built_small: Built):
    """Every text value of every published table, against the identifiers the sources hold:
    persons' emails and names (the restricted model), their phone numbers (event lists and
    cards) and the CRM users' names and emails."""
    con = duckdb.connect(str(built_small.published), read_only=True)
    try:
        con.execute("attach ? as warehouse (read_only)", [str(built_small.warehouse)])
        con.execute(
            """
            create temp table identifiers as
            """
            + IDENTIFIERS_SQL.format(db="warehouse.")
        )
        assert con.execute("select count(*) from identifiers").fetchone()[0] > 1000
        text_columns = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = 'published' and data_type = 'VARCHAR'"
        ).fetchall()
        assert len(text_columns) > 50
        found = {}
        for table, column in text_columns:
            hits = con.execute(
                f'select count(*) from published.main."{table}" '
                f'where "{column}" in (select value from identifiers where value is not null) '
                f"or \"{column}\" like '%@%'"
            ).fetchone()[0]
            if hits:
                found[f"{table}.{column}"] = hits
    finally:
        con.close()
    assert found == {}

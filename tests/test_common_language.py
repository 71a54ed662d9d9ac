"""The agreed definitions file: validated on load, mirrored by the generator, materialized."""

from __future__ import annotations

import copy
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import materialize

from orchestration.common_language.assets import agreed_definitions
from orchestration.common_language.load import DEFAULT_PATH, DefinitionsError, load_definitions
from orchestration.common_language.tables import TABLES
from orchestration.resources import DefinitionsFileResource, WarehouseResource
from orchestration.sample import vocabulary as v
from orchestration.sample.rules import TruthRules


def _document() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "funnel_definitions.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_committed_file_is_valid_and_versioned():
    loaded = load_definitions()
    assert loaded.version == loaded.definitions.changelog[0].version
    assert len(loaded.sha256) == 64


def test_generator_plays_by_the_same_rules():
    """The generator's own statement of the default rules equals the file's, so the ground
    truth is what the agreed definitions say should happen."""
    d, rules = load_definitions().definitions, TruthRules()
    assert {t.code: t.weight for t in d.touch_types} == rules.intent_weights
    assert d.mql_rule.seniority_points == rules.seniority_points
    assert set(d.mql_rule.fit.industries) == rules.fit_industries
    assert set(d.mql_rule.fit.size_bands) == rules.fit_size_bands
    assert d.mql_rule.threshold == rules.mql_threshold
    assert d.mql_rule.lookback_days == rules.lookback.days
    assert {t.code for t in d.touch_types if t.direct_to_sales} == rules.direct_to_sales
    assert {t.code for t in d.touch_types if t.counts_as_inquiry} == rules.inquiry_touches
    assert {t.code for t in d.touch_types if t.counts_as_response} == rules.response_touches
    assert d.acceptance.sla_hours * 3600 == rules.acceptance_sla.total_seconds()
    titles = {t: level for level, ts in d.firmographics.seniority.items() for t in ts}
    assert titles == dict(v.TITLES)
    assert {b.code for b in d.firmographics.size_bands} == set(v.SIZE_BANDS)
    labels = {i.code: (i.label_en, i.label_ja) for i in d.firmographics.industries}
    assert labels == {code: (en, ja) for code, (en, ja, _) in v.INDUSTRIES.items()}
    assert {r.label_en for r in d.acceptance.rejection_reasons} == {
        *v.REJECTION_REASONS,
        v.STALLED_REASON,
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["mql_rule"].update(threshold="sixty"), "mql_rule.threshold"),
        (lambda d: d["mql_rule"].update(lookback_day=90), "mql_rule.lookback_day: Extra inputs"),
        (lambda d: d["calendar"].update(timezone="Mars/Base"), "calendar.timezone: unknown time"),
        (lambda d: d["touch_types"][0].update(weight=-1), "touch_types[0].weight"),
        (
            lambda d: d["mql_rule"]["fit"]["industries"].append("mining"),
            "unknown industry in mql_rule.fit.industries ['mining']",
        ),
        (lambda d: d.pop("acceptance"), "acceptance: Field required"),
        (
            lambda d: d["touch_sources"]["forms"][0].update(touch_type="fax"),
            "unknown touch type in touch_sources ['fax']",
        ),
        (
            lambda d: d["touch_sources"]["forms"][0].update(form_id="f-1"),
            "touch_sources.forms[0]: give exactly one of form_id, name_contains, form_type",
        ),
        (
            lambda d: d["touch_sources"]["not_touches"]["email_event_types"].append("CLICK"),
            "touch_sources.not_touches.email_event_types: ['CLICK'] are mapped to touches too",
        ),
        (lambda d: d["stages"].pop(2), "stages: need each of"),
        (lambda d: d.update(version="2"), "version: String should match pattern"),
        (lambda d: d["acceptance"].update(sla_clock="weekly"), "acceptance.sla_clock"),
        (
            lambda d: d["acceptance"]["business_hours"].update(end="08:00"),
            "acceptance.business_hours: end must be after start",
        ),
        (
            lambda d: d["firmographics"]["size_bands"][1].update(min_employees=60),
            "size_bands: '50-299' must start",
        ),
        (
            lambda d: d["lost_reasons"]["categories"][0].update(patterns=[" "]),
            "lost_reasons.categories[0].patterns: a pattern is blank",
        ),
    ],
)
def test_invalid_file_names_key_and_problem(tmp_path: Path, change, expected: str):
    document = copy.deepcopy(_document())
    change(document)
    path = _write(tmp_path, document)
    with pytest.raises(DefinitionsError) as raised:
        load_definitions(path)
    assert str(path) in str(raised.value)
    assert expected in str(raised.value)


def test_unreadable_files_fail_clearly(tmp_path: Path):
    with pytest.raises(DefinitionsError, match="cannot read"):
        load_definitions(tmp_path / "missing.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("version: [1,\n", encoding="utf-8")
    with pytest.raises(DefinitionsError, match="not valid YAML"):
        load_definitions(broken)


def _materialize(tmp_path: Path, definitions: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    result = materialize(
        [agreed_definitions],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "definitions_file": DefinitionsFileResource(path=str(definitions)),
        },
        raise_on_error=False,
    )
    return result, warehouse


def test_materialized_into_definitions_schema(tmp_path: Path):
    result, warehouse = _materialize(tmp_path, DEFAULT_PATH)
    assert result.success
    d = load_definitions().definitions
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'definitions'"
        ).fetchall()
        assert {t for (t,) in tables} == set(TABLES)
        for name in TABLES:
            versions = con.execute(f"select distinct definitions_version from definitions.{name}")
            assert versions.fetchall() == [(d.version,)], name
        weights = dict(
            con.execute("select touch_type, weight from definitions.touch_types").fetchall()
        )
        assert weights == {t.code: t.weight for t in d.touch_types}
        agreement = con.execute(
            "select mql_threshold, mql_lookback_days, sla_hours from definitions.agreement"
        ).fetchall()
        assert agreement == [
            (d.mql_rule.threshold, d.mql_rule.lookback_days, d.acceptance.sla_hours)
        ]
        patterns = con.execute("select count(*) from definitions.lost_reason_patterns").fetchall()
        assert patterns == [(sum(len(c.patterns) for c in d.lost_reasons.categories),)]
    finally:
        con.close()


def test_values_are_data_never_sql(tmp_path: Path):
    document = copy.deepcopy(_document())
    hostile = "x'); drop table definitions.stages; --"
    document["lost_reasons"]["categories"][0]["patterns"].append(hostile)
    result, warehouse = _materialize(tmp_path, _write(tmp_path, document))
    assert result.success
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute(
            "select count(*) from definitions.lost_reason_patterns where pattern = ?", [hostile]
        ).fetchall()
        assert found == [(1,)]
        assert con.execute("select count(*) from definitions.stages").fetchall()[0][0] == 8
    finally:
        con.close()


def test_invalid_file_fails_the_asset_with_the_key(tmp_path: Path):
    document = copy.deepcopy(_document())
    document["mql_rule"]["threshold"] = 0
    result, _ = _materialize(tmp_path, _write(tmp_path, document))
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "mql_rule.threshold: Input should be greater than 0" in str(failure.event_specific_data)

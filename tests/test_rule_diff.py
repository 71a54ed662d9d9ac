"""The rule diff of a proposed definitions file (orchestration/proposals/rule_diff.py), on
hand-made edits of the agreed file: each expected change is written out by hand."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestration import cli
from orchestration.common_language.load import DEFAULT_PATH, DefinitionsError, load_definitions
from orchestration.proposals.rule_diff import rule_changes
from orchestration.proposals.sources import proposal_pair
from orchestration.settings import ENV_DEFINITIONS


def _agreed() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _write(tmp_path: Path, document: dict[str, Any], name: str = "proposed.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=True), "utf-8")
    return path


def _changes(tmp_path: Path, document: dict[str, Any]) -> list[tuple[str, str, str]]:
    proposed = load_definitions(_write(tmp_path, document))
    return [(c.path, c.kind, c.text) for c in rule_changes(load_definitions(), proposed)]


def test_the_same_rules_written_differently_change_nothing(tmp_path: Path):
    document = _agreed()
    document["version"] = "9.9.9"  # a new version and changelog entry are no rule
    document["changelog"].insert(
        0, {"version": "9.9.9", "date": "2026-12-01", "agreed_by": ["team:sales"], "changes": ["x"]}
    )
    document["touch_types"].reverse()  # records are matched by code, not position
    document["transitions"].reverse()
    document["touch_sources"]["email_event_types"] = dict(
        reversed(document["touch_sources"]["email_event_types"].items())
    )
    assert _changes(tmp_path, document) == []


def test_threshold_weight_and_pattern_changes_read_as_rules(tmp_path: Path):
    document = _agreed()
    document["mql_rule"]["threshold"] = 45
    request = next(t for t in document["touch_types"] if t["code"] == "document_request")
    request["weight"] = 40
    price = next(c for c in document["lost_reasons"]["categories"] if c["code"] == "price")
    price["patterns"].append("予算オーバー")
    document["acceptance"]["business_hours"]["holidays"].remove(date(2026, 1, 12))
    assert _changes(tmp_path, document) == [
        (
            "touch_types[document_request].weight",
            "changed",
            "touch_types 資料請求 (document_request).weight: 30 → 40",
        ),
        ("mql_rule.threshold", "changed", "mql_rule.threshold: 60 → 45"),
        (
            "acceptance.business_hours.holidays",
            "removed",
            "acceptance.business_hours.holidays: '2026-01-12' removed",
        ),
        (
            "lost_reasons.categories[price].patterns",
            "added",
            "lost_reasons.categories 価格・予算 (price).patterns: 「予算オーバー」 added",
        ),
    ]


def test_added_removed_and_reordered_records(tmp_path: Path):
    document = _agreed()
    categories = document["lost_reasons"]["categories"]
    categories[0], categories[1] = categories[1], categories[0]  # first match wins: order
    document["touch_types"] = [t for t in document["touch_types"] if t["code"] != "email_open"]
    document["touch_sources"]["email_event_types"].pop("OPEN")
    document["touch_sources"]["not_touches"]["email_event_types"].append("OPEN")
    document["transitions"].append({"from": "disqualified", "to": "mql"})
    changes = _changes(tmp_path, document)
    assert changes == [
        (
            "transitions[from=disqualified, to=mql]",
            "added",
            "transitions from=disqualified, to=mql added",
        ),
        (
            "touch_types[email_open]",
            "removed",
            "touch_types メール開封 (email_open) removed",
        ),
        (
            "touch_sources.email_event_types.OPEN",
            "removed",
            "touch_sources.email_event_types.OPEN removed",
        ),
        (
            "touch_sources.not_touches.email_event_types",
            "added",
            "touch_sources.not_touches.email_event_types: 'OPEN' added",
        ),
        (
            "lost_reasons.categories",
            "moved",
            "lost_reasons.categories: order competitor, price, timing, no_decision,"
            " product_fit, unresponsive",
        ),
    ]


def test_an_invalid_proposal_fails_naming_the_key(tmp_path: Path):
    document = _agreed()
    document["mql_rule"]["threshold"] = -5
    with pytest.raises(DefinitionsError, match=r"mql_rule\.threshold"):
        load_definitions(_write(tmp_path, document))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_a_pull_request_compares_the_working_tree_with_its_base_ref(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    agreed = _write(repo, _agreed(), "funnel_definitions.yml")
    _git(repo, "add", "funnel_definitions.yml")
    _git(repo, "commit", "-q", "-m", "agreed")
    document = _agreed()
    document["mql_rule"]["threshold"] = 45
    _write(repo, document, "funnel_definitions.yml")  # the pull request's edit

    base, proposal = proposal_pair(agreed, None, "HEAD", tmp_path)
    assert [c.text for c in rule_changes(base, proposal)] == ["mql_rule.threshold: 60 → 45"]
    with pytest.raises(DefinitionsError, match="no-such-ref"):
        proposal_pair(agreed, None, "no-such-ref", tmp_path)

    monkeypatch.setenv(ENV_DEFINITIONS, str(agreed))
    assert cli.main(["propose", "--base", "HEAD", "--rules-only"]) == 0
    out = capsys.readouterr().out
    assert "Rule changes (1):" in out and "mql_rule.threshold: 60 → 45" in out
    document["mql_rule"]["threshold"] = 0
    invalid = _write(tmp_path, document)
    assert cli.main(["propose", str(invalid)]) == 2
    assert "mql_rule.threshold" in capsys.readouterr().out

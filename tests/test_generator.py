"""The sample generator is deterministic, messy on purpose, and its truth is consistent."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from orchestration.sample.generate import GeneratedSample, generate
from orchestration.sample.world import EXPORT_AT

STAGE_ORDER = ["inquiry", "mql", "sal", "sql"]


def digest_tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def read(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def truth(sample: GeneratedSample, name: str) -> list[dict[str, str]]:
    return read(sample.truth_dir / f"{name}.csv")


CHUNKED_PERSONS = 900


@pytest.fixture(scope="module", params=[CHUNKED_PERSONS, 300], ids=["one-chunk", "three-chunks"])
def sample(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> GeneratedSample:
    """The module's own sample, as one world and as three chunks of 300 (the way samples
    above `CHUNK_PERSONS` are made): every test below holds for both."""
    root = tmp_path_factory.mktemp("generated")
    return generate(
        root / "landing", root / "truth", CHUNKED_PERSONS, seed=7, chunk_persons=request.param
    )


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a/landing", tmp_path / "a/truth", 300, seed=3)
    b = generate(tmp_path / "b/landing", tmp_path / "b/truth", 300, seed=3)
    c = generate(tmp_path / "c/landing", tmp_path / "c/truth", 300, seed=4)
    assert digest_tree(a.landing_dir) == digest_tree(b.landing_dir)
    assert digest_tree(a.truth_dir) == digest_tree(b.truth_dir)
    assert digest_tree(a.landing_dir) != digest_tree(c.landing_dir)
    assert len(truth(a, "persons")) == 300


def test_stage_dates_follow_the_funnel(sample: GeneratedSample) -> None:
    stages: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in truth(sample, "person_stages"):
        stages[(row["person_id"], row["cycle"])][row["stage"]] = row["entered_at"]
    assert stages
    for (person, cycle), dates in stages.items():
        ordered = [dates[s] for s in STAGE_ORDER if s in dates]
        assert ordered == sorted(ordered), (person, cycle, dates)
        assert "mql" in dates or dates.keys() == {"inquiry"}
        if "sql" in dates:
            assert "sal" in dates
        for end in ("won", "lost"):
            if end in dates:
                assert "sql" in dates and dates[end] >= dates["sql"]
        for end in ("recycled", "disqualified"):
            if end in dates:
                assert dates[end] >= dates["mql"]
    seen = {stage for dates in stages.values() for stage in dates}
    assert seen == {"inquiry", "mql", "sal", "sql", "won", "lost", "recycled", "disqualified"}
    assert any(int(cycle) > 1 for _, cycle in stages), "some persons must be recycled and re-MQL"


def test_opportunity_truth_matches_the_crm_export(sample: GeneratedSample) -> None:
    final = {
        row["Id"]: row
        for row in read(sample.landing_dir / "salesforce/Opportunity/Opportunity_20261001.csv")
    }
    opportunities = truth(sample, "opportunities")
    assert opportunities
    for opp in opportunities:
        crm = final[opp["opportunity_id"]]
        expected_stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(opp["outcome"])
        if expected_stage:
            assert crm["StageName"] == expected_stage
        else:
            assert crm["IsClosed"] == "false"
        assert crm["Lost_Reason__c"] == opp["lost_text"]
    outcomes = {o["outcome"] for o in opportunities}
    assert outcomes == {"won", "lost", "open"}
    lost = [o for o in opportunities if o["outcome"] == "lost"]
    assert any(any("\u3040" <= ch <= "\u9fff" for ch in o["lost_text"]) for o in lost)
    assert any(o["lost_text"].isascii() for o in lost)
    assert any(int(o["regressions"]) > 0 for o in opportunities), "some deals move backwards"


def test_sales_acceptance_is_recorded_in_lead_history(sample: GeneratedSample) -> None:
    records = truth(sample, "person_records")
    leads_of: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r["system"] == "crm_lead":
            leads_of[r["person_id"]].add(r["record_id"])
    accepted = defaultdict(set)
    for row in read(sample.landing_dir / "salesforce/LeadHistory/LeadHistory_20261001.csv"):
        if row["NewValue"] == "Working - Contacted":
            accepted[row["LeadId"]].add(row["CreatedDate"].replace(".000Z", "Z"))
    sal = [c for c in truth(sample, "cycles") if c["sal_at"]]
    assert sal
    for cycle in sal:
        times = set().union(*(accepted[lead] for lead in leads_of[cycle["person_id"]]))
        assert cycle["sal_at"] in times


def test_identity_records_exist_in_the_exports(sample: GeneratedSample) -> None:
    contacts = {
        r["Record ID"] for r in read(sample.landing_dir / "hubspot/contacts/contacts_20261001.csv")
    }
    cards = {
        r["名刺ID"]
        for r in read(sample.landing_dir / "events/business_cards/meishi_20261001.csv", "cp932")
    }
    by_system: dict[str, set[str]] = defaultdict(set)
    for r in truth(sample, "person_records"):
        by_system[r["system"]].add(r["record_id"])
    assert by_system["hubspot_contact"] <= contacts
    assert by_system["business_card"] <= cards
    persons_with_two_contacts = defaultdict(int)
    for r in truth(sample, "person_records"):
        if r["system"] == "hubspot_contact":
            persons_with_two_contacts[r["person_id"]] += 1
    assert max(persons_with_two_contacts.values()) == 2, "duplicate contacts exist on purpose"


def test_the_mess_is_there(sample: GeneratedSample) -> None:
    cards_early = read(sample.landing_dir / "events/business_cards/meishi_20260401.csv", "cp932")
    cards_late = read(sample.landing_dir / "events/business_cards/meishi_20261001.csv", "cp932")
    assert {r["名刺ID"] for r in cards_early} < {r["名刺ID"] for r in cards_late}
    emails = [r["メールアドレス"] for r in cards_late]
    assert any(e != e.strip() for e in emails)
    assert any(any(ord(ch) > 0xFF00 for ch in e) for e in emails), "full-width addresses"
    assert any(e != e.lower() for e in emails)
    companies = " ".join(r["会社名"] for r in cards_late)
    for variant in ("(株)", "㈱", "株式会社"):
        assert variant in companies
    early = {
        r["Id"]: r["Status"] for r in read(sample.landing_dir / "salesforce/Lead/Lead_20260701.csv")
    }
    late = {
        r["Id"]: r["Status"] for r in read(sample.landing_dir / "salesforce/Lead/Lead_20261001.csv")
    }
    assert set(early) <= set(late)
    assert any(early[i] != late[i] for i in early), "late updates across repeated exports"


def test_account_periods_agree_with_touches(sample: GeneratedSample) -> None:
    from datetime import datetime

    from orchestration.sample.truth import fiscal_quarter

    account_of = {p["person_id"]: p["account_index"] for p in truth(sample, "persons")}
    responded = set()
    for t in truth(sample, "touches"):
        if t["kind"] not in ("email_send", "email_open"):
            at = datetime.fromisoformat(t["at"].replace("Z", "+00:00"))
            responded.add((account_of[t["person_id"]], fiscal_quarter(at)))
    periods = truth(sample, "account_periods")
    assert any(p["targeted"] == "True" for p in periods)
    for p in periods:
        assert (p["responded"] == "True") == (
            (p["account_index"], p["fiscal_quarter"]) in responded
        )


def test_fiscal_quarter_boundary() -> None:
    from datetime import UTC, datetime

    from orchestration.sample.truth import fiscal_quarter

    # 31 March 23:30 JST is still FY2025 Q4; 1 April 00:00 JST opens FY2026 Q1.
    assert fiscal_quarter(datetime(2026, 3, 31, 14, 30, tzinfo=UTC)) == "FY2025-Q4"
    assert fiscal_quarter(datetime(2026, 3, 31, 15, 0, tzinfo=UTC)) == "FY2026-Q1"
    assert EXPORT_AT.year == 2026


def test_the_files_truth_counts_every_record_and_defect(sample: GeneratedSample) -> None:
    """files.csv against the files themselves: a chunked sample moves each defect's line
    down by the records of the chunks before it."""
    defects = 0
    for row in csv.DictReader((sample.truth_dir / "files.csv").open(encoding="utf-8")):
        path = sample.landing_dir / row["source_file"]
        encoding = "utf-8-sig" if row["encoding"] == "utf-8-sig" else row["encoding"]
        lines = path.read_text(encoding=encoding).splitlines()
        assert len(lines) - 1 == int(row["records"]), row["source_file"]
        assert lines.count(lines[0]) == 1, f"{row['source_file']}: one header"
        for line in filter(None, row["defect_lines"].split(";")):
            assert "broken" in lines[int(line) - 1] or lines[int(line) - 1].startswith(","), (
                row["source_file"],
                line,
            )
            defects += 1
    assert defects == 4
    assert len({p.name for p in sample.landing_dir.rglob("*.csv")}) == sample.files


def test_chunks_do_not_depend_on_the_workers(tmp_path: Path) -> None:
    one = generate(
        tmp_path / "1/landing", tmp_path / "1/truth", 700, 5, chunk_persons=250, workers=1
    )
    two = generate(
        tmp_path / "2/landing", tmp_path / "2/truth", 700, 5, chunk_persons=250, workers=2
    )
    assert digest_tree(one.landing_dir) == digest_tree(two.landing_dir)
    assert digest_tree(one.truth_dir) == digest_tree(two.truth_dir)
    assert not list(tmp_path.glob("*/.*-chunks-*")), "the chunks' scratch folders are removed"


def test_the_first_chunk_is_the_sample_of_its_size(tmp_path: Path) -> None:
    """Chunk 0 keeps the seed's own streams: a sample of one chunk is the head of every
    file of a larger sample in chunks of that size (the ledger of files aside)."""
    small = generate(tmp_path / "s/landing", tmp_path / "s/truth", 250, 5, defects=False)
    large = generate(
        tmp_path / "l/landing", tmp_path / "l/truth", 700, 5, defects=False, chunk_persons=250
    )
    for folder, small_root, large_root in (
        ("landing", small.landing_dir, large.landing_dir),
        ("truth", small.truth_dir, large.truth_dir),
    ):
        for path in sorted(small_root.rglob("*.csv")):
            if path.name == "files.csv":
                continue
            head = path.read_bytes()
            joined = (large_root / path.relative_to(small_root)).read_bytes()
            assert joined.startswith(head), f"{folder}/{path.relative_to(small_root)}"
            per_person = path.name not in {"User_20261001.csv", "UserRole_20261001.csv"}
            if per_person and not path.name.startswith(("Campaign_", "forms_", "email_campaigns_")):
                assert len(joined) > len(head), f"{folder}/{path.relative_to(small_root)}"


@pytest.mark.parametrize("kernel_copy", [True, False], ids=["copy_file_range", "plain-copy"])
def test_appending_a_chunk_keeps_one_header_and_every_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: bool
) -> None:
    from orchestration.sample.assemble import append_folder

    if not kernel_copy:  # a file system without copy_file_range: the plain copy takes over

        def refused(*_: object) -> int:
            raise OSError(95, "Operation not supported")

        monkeypatch.setattr("os.copy_file_range", refused, raising=False)
    header = "\ufeffリストID,氏名\r\n".encode()
    first, second = tmp_path / "0/lists/a.csv", tmp_path / "1/lists/a.csv"
    for path, rows in ((first, "TL1,山田 太郎\r\n"), (second, "TL2,佐藤 花子\r\nTL3,x\r\n")):
        path.parent.mkdir(parents=True)
        path.write_bytes(header + rows.encode())
    (tmp_path / "1/only_later.csv").write_bytes(b"h\n1\n")
    joined = tmp_path / "joined"
    append_folder(tmp_path / "0", joined, frozenset())
    append_folder(tmp_path / "1", joined, frozenset())
    expected = header + "TL1,山田 太郎\r\nTL2,佐藤 花子\r\nTL3,x\r\n".encode()
    assert (joined / "lists/a.csv").read_bytes() == expected
    assert (joined / "only_later.csv").read_bytes() == b"h\n1\n"

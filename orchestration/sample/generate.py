"""Generate the sample landing zone and its ground truth: seeded and deterministic."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from orchestration.sample.exports import Exporter
from orchestration.sample.journeys import simulate_journey
from orchestration.sample.rules import TruthRules
from orchestration.sample.truth import TruthWriter
from orchestration.sample.world import build_accounts, build_calendar, build_people, build_users

PROGRESS_FROM = 20_000


@dataclass(frozen=True)
class GeneratedSample:
    landing_dir: Path
    truth_dir: Path
    persons: int
    seed: int
    files: int
    records: int


def generate(
    landing_dir: Path,
    truth_dir: Path,
    persons: int = 2_000,
    seed: int = 42,
    defects: bool = True,
    rules: TruthRules | None = None,
) -> GeneratedSample:
    """Write the exports to `landing_dir` and the truth to `truth_dir` (both replaced)."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    rules = rules or TruthRules()
    for folder in (landing_dir, truth_dir):
        if folder.exists():
            shutil.rmtree(folder)
    rng = random.Random(seed)
    accounts = build_accounts(rng, max(20, persons // 4))
    people = build_people(rng, accounts, persons)
    calendar = build_calendar()
    users = build_users()
    exporter = Exporter(landing_dir, random.Random(seed + 1), users, calendar)
    truth = TruthWriter(truth_dir, rules, exporter.sales_users)
    owners = len(exporter.sales_users)
    next_opportunity = [0]
    defect_at = persons // 2
    for person in tqdm(people, desc="persons", unit="p", disable=persons < PROGRESS_FROM):
        journey = simulate_journey(rng, person, calendar, rules, owners, next_opportunity)
        exporter.write(journey, defects=defects and person.index == defect_at)
        truth.write(journey)
    sinks = exporter.close()
    truth.write_opportunities(exporter.opportunity_ids)
    truth.close(accounts, exporter.person_records, sinks, landing_dir)
    return GeneratedSample(
        landing_dir=landing_dir,
        truth_dir=truth_dir,
        persons=persons,
        seed=seed,
        files=len(sinks),
        records=sum(s.records for s in sinks),
    )

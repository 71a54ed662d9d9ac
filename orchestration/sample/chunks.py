"""One chunk of a sample: an independent world of up to `CHUNK_PERSONS` persons.

A large sample is made of chunks so that they can be generated side by side. Each chunk
has its own accounts (so no account, e-mail address or CRM account is shared between
chunks), its own random streams and its own id ranges; only the calendar, the users and the
programme ids (`Exporter.campaign_ids`) are common, and they are fixed in advance.

Chunk 0 uses the sample's seed exactly as a sample of one chunk does: a sample of at most
`CHUNK_PERSONS` persons is one chunk, the same bytes whatever the number of workers.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from orchestration.sample.exports import Exporter
from orchestration.sample.journeys import simulate_journey
from orchestration.sample.rules import TruthRules
from orchestration.sample.sinks import FileWritten
from orchestration.sample.truth import TruthWriter
from orchestration.sample.world import build_accounts, build_calendar, build_people, build_users

CHUNK_PERSONS = 50_000
# a HubSpot contact id is 5,000,000 + the person's index and a duplicate contact's
# 9,000,000 + it (orchestration/sample/exports.py): beyond this they would collide
MAX_PERSONS = 4_000_000
MAX_CHUNKS = 100  # ids carry the chunk number in their two leading digits
ID_SPAN = 10**10  # each chunk's id counters start at number * ID_SPAN
OPPORTUNITY_SPAN = 10**8  # and its opportunity numbers at number * OPPORTUNITY_SPAN
PROGRESS_FROM = 20_000


@dataclass(frozen=True)
class Chunk:
    number: int
    seed: int
    first_person: int  # the global index of its first person
    persons: int
    first_account: int
    accounts: int
    defect_person: int | None  # the global index of the person written with the defects

    def world_rng(self) -> random.Random:
        """Accounts, people and journeys."""
        if self.number == 0:
            return random.Random(self.seed)
        return random.Random(f"{self.seed}/chunk {self.number}/world")

    def export_rng(self) -> random.Random:
        """How each system misspells and times what it records."""
        if self.number == 0:
            return random.Random(self.seed + 1)
        return random.Random(f"{self.seed}/chunk {self.number}/exports")


def plan_chunks(persons: int, seed: int, defects: bool, chunk_persons: int) -> list[Chunk]:
    if persons < 1:
        raise ValueError("persons must be at least 1")
    if persons > MAX_PERSONS:
        raise ValueError(f"at most {MAX_PERSONS:,} persons (the sample's contact ids)")
    if chunk_persons < 1:
        raise ValueError("chunk_persons must be at least 1")
    count = -(-persons // chunk_persons)
    if count > MAX_CHUNKS:
        raise ValueError(
            f"{persons:,} persons in chunks of {chunk_persons:,} make {count} chunks;"
            f" at most {MAX_CHUNKS}: use larger chunks"
        )
    chunks, first_account = [], 0
    defect_person = persons // 2 if defects else None
    for number in range(count):
        first = number * chunk_persons
        size = min(chunk_persons, persons - first)
        accounts = max(20, size // 4)
        holds_defects = defect_person is not None and first <= defect_person < first + size
        chunks.append(
            Chunk(
                number=number,
                seed=seed,
                first_person=first,
                persons=size,
                first_account=first_account,
                accounts=accounts,
                defect_person=defect_person if holds_defects else None,
            )
        )
        first_account += accounts
    return chunks


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector, off for the block: a chunk makes millions of
    short-lived objects and next to no cycles (a few dozen at 50,000 persons), and the
    collections cost about 7% of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_chunk(
    chunk: Chunk, landing_dir: Path, truth_dir: Path, rules: TruthRules, progress: bool = False
) -> list[FileWritten]:
    """Write the chunk's exports to `landing_dir` and its truth to `truth_dir`."""
    with collector_paused():
        return _write_chunk(chunk, landing_dir, truth_dir, rules, progress)


def _write_chunk(
    chunk: Chunk, landing_dir: Path, truth_dir: Path, rules: TruthRules, progress: bool
) -> list[FileWritten]:
    rng = chunk.world_rng()
    accounts = build_accounts(rng, chunk.accounts, chunk.first_account)
    people = build_people(rng, accounts, chunk.persons, chunk.first_person)
    calendar = build_calendar()
    exporter = Exporter(
        landing_dir,
        chunk.export_rng(),
        build_users(),
        calendar,
        id_offset=chunk.number * ID_SPAN,
        reference=chunk.number == 0,
    )
    truth = TruthWriter(truth_dir, rules, exporter.sales_users)
    owners = len(exporter.sales_users)
    next_opportunity = [chunk.number * OPPORTUNITY_SPAN]
    show = progress and chunk.persons >= PROGRESS_FROM
    for person in tqdm(people, desc="persons", unit="p", disable=not show):
        journey = simulate_journey(rng, person, calendar, rules, owners, next_opportunity)
        exporter.write(journey, defects=person.index == chunk.defect_person)
        truth.write(journey)
    files = [sink.written(landing_dir) for sink in exporter.close()]
    truth.write_opportunities(exporter.opportunity_ids)
    truth.close(accounts, exporter.person_records, files)
    return files

"""Generate the sample landing zone and its ground truth: seeded and deterministic.

Up to `CHUNK_PERSONS` persons a sample is one world, generated in this process. A larger
one is made of chunks (`orchestration.sample.chunks`: independent worlds of that many
persons, with their own accounts, random streams and id ranges), generated side by side in
worker processes and joined file by file in chunk order. The bytes depend on the persons,
the seed and the chunk size, never on the number of workers.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from orchestration.sample.assemble import append_folder, merge_files, scratch_beside
from orchestration.sample.chunks import (
    CHUNK_PERSONS,
    PROGRESS_FROM,
    Chunk,
    plan_chunks,
    write_chunk,
)
from orchestration.sample.rules import TruthRules
from orchestration.sample.sinks import FileWritten
from orchestration.sample.truth import write_files_truth

TRUTH_OF_FILES = "files.csv"


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
    chunk_persons: int = CHUNK_PERSONS,
    workers: int | None = None,
) -> GeneratedSample:
    """Write the exports to `landing_dir` and the truth to `truth_dir` (both replaced).
    `workers`: processes for a sample of several chunks (default: one per core). They are
    started by `multiprocessing`'s spawn: a script that calls this for more than
    `CHUNK_PERSONS` persons needs the usual `if __name__ == "__main__":` guard."""
    rules = rules or TruthRules()
    chunks = plan_chunks(persons, seed, defects, chunk_persons)
    for folder in (landing_dir, truth_dir):
        if folder.exists():
            shutil.rmtree(folder)
    if len(chunks) == 1:
        files = write_chunk(chunks[0], landing_dir, truth_dir, rules, progress=True)
    else:
        files = _write_chunks(chunks, landing_dir, truth_dir, rules, workers)
    return GeneratedSample(
        landing_dir=landing_dir,
        truth_dir=truth_dir,
        persons=persons,
        seed=seed,
        files=len(files),
        records=sum(f.records for f in files),
    )


def _write_chunks(
    chunks: list[Chunk],
    landing_dir: Path,
    truth_dir: Path,
    rules: TruthRules,
    workers: int | None,
) -> list[FileWritten]:
    landing_parts, truth_parts = scratch_beside(landing_dir), scratch_beside(truth_dir)
    try:
        folders = [
            (
                landing_parts / f"{c.number:02d}" / "landing",
                truth_parts / f"{c.number:02d}" / "truth",
            )
            for c in chunks
        ]
        workers = min(len(chunks), workers or os.cpu_count() or 1)
        persons = sum(c.persons for c in chunks)
        written: list[list[FileWritten]] = []
        with tqdm(total=persons, desc="persons", unit="p", disable=persons < PROGRESS_FROM) as bar:

            def add(chunk: Chunk, files: list[FileWritten]) -> None:
                """Join a written chunk while the later ones are still being written."""
                landing, truth = folders[chunk.number]
                append_folder(landing, landing_dir, frozenset())
                append_folder(truth, truth_dir, frozenset({TRUTH_OF_FILES}))
                shutil.rmtree(landing.parent, ignore_errors=True)
                shutil.rmtree(truth.parent, ignore_errors=True)
                written.append(files)
                bar.update(chunk.persons)

            if workers == 1:
                for chunk, (landing, truth) in zip(chunks, folders, strict=True):
                    add(chunk, write_chunk(chunk, landing, truth, rules))
            else:
                # spawn: a worker starts clean, whatever threads the caller runs
                with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                    futures = [
                        pool.submit(write_chunk, chunk, landing, truth, rules)
                        for chunk, (landing, truth) in zip(chunks, folders, strict=True)
                    ]
                    try:
                        for chunk, future in zip(chunks, futures, strict=True):
                            add(chunk, future.result())
                    except BaseException:
                        pool.shutdown(wait=False, cancel_futures=True)
                        raise
        files = merge_files(written)
        write_files_truth(truth_dir, files)
        return files
    except BaseException:
        for folder in (landing_dir, truth_dir):  # no half-joined sample is left behind
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(landing_parts, ignore_errors=True)
        shutil.rmtree(truth_parts, ignore_errors=True)

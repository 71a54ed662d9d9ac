"""The per-settings cache of dbt's partial parse file (orchestration/transform/partial_parse.py)."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.transform import partial_parse


def test_the_key_follows_the_settings_not_their_order():
    one = partial_parse.cache_key({"A": "1", "B": "2"})
    assert one == partial_parse.cache_key({"B": "2", "A": "1"})
    assert one != partial_parse.cache_key({"A": "1", "B": "3"})
    assert one != partial_parse.cache_key({"A": "1"})


def test_a_run_starts_from_the_file_of_an_earlier_run_with_the_same_settings(tmp_path: Path):
    target = tmp_path / "target"
    first = partial_parse.run_target_path(target, "abcdef123456")
    second = partial_parse.run_target_path(target, "abcdef123456")
    assert first != second and first.parent == target
    assert not partial_parse.seed(target, "k1", first)  # nothing cached yet
    first.mkdir(parents=True)
    (first / partial_parse.FILE_NAME).write_bytes(b"parsed once")
    partial_parse.keep(target, "k1", first)
    assert partial_parse.seed(target, "k1", second)
    assert (second / partial_parse.FILE_NAME).read_bytes() == b"parsed once"
    other = partial_parse.run_target_path(target, "abcdef123456")
    assert not partial_parse.seed(target, "k2", other)
    assert not (other / partial_parse.FILE_NAME).exists()


def test_only_the_newest_files_are_kept(tmp_path: Path):
    target = tmp_path / "target"
    for number in range(partial_parse.KEEP + 3):
        run = partial_parse.run_target_path(target, f"run{number:04d}")
        run.mkdir(parents=True)
        (run / partial_parse.FILE_NAME).write_bytes(str(number).encode())
        partial_parse.keep(target, f"k{number}", run)
        cached = target / partial_parse.CACHE_DIR / f"k{number}.msgpack"
        os.utime(cached, (1_000_000 + number, 1_000_000 + number))
    partial_parse.keep(target, "k0", run)  # one more write triggers the clean-up
    names = sorted(p.name for p in (target / partial_parse.CACHE_DIR).iterdir())
    assert len(names) == partial_parse.KEEP
    assert "k1.msgpack" not in names and f"k{partial_parse.KEEP + 2}.msgpack" in names


def test_failed_steps_leave_only_their_newest_target_folders(tmp_path: Path):
    target = tmp_path / "target"
    now = 10_000_000.0
    folders = []
    for number in range(partial_parse.KEEP_RUN_TARGETS + 4):
        folder = partial_parse.run_target_path(target, f"run{number:04d}")
        (folder / "compiled").mkdir(parents=True)
        (folder / "dbt.log").write_text("failed")
        age = 7200 - number * 60  # the last two beyond the newest ten are under an hour old
        if number >= partial_parse.KEEP_RUN_TARGETS + 2:
            age = 0
        os.utime(folder, (now - age, now - age))
        folders.append(folder)
    (target / "partial_parse").mkdir()  # dbt's and the cache's own folders stay
    (target / "manifest.json").write_text("{}")
    removed = partial_parse.prune_run_targets(target, now=now)
    # newest ten by age: the two young ones and numbers 4..11; 0..3 are old and beyond ten
    assert sorted(removed) == sorted(folders[:4])
    assert all(not f.exists() for f in folders[:4])
    assert all(f.exists() for f in folders[4:])
    assert (target / "partial_parse").is_dir() and (target / "manifest.json").exists()
    assert partial_parse.prune_run_targets(target, now=now) == []

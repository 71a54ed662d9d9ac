"""An analyst's process: reads the published file in a loop until a stop file appears.

`python tests/published_reader.py <published.duckdb> <stop file>` prints one JSON line:
reads, errors (a failed open or query, or a table whose row count differs from what the
latest publish logged: half of a publish) and the publish ids it saw."""

import json
import os
import sys
import time

import duckdb


def main(path: str, stop: str) -> None:
    reads, errors, versions = 0, [], []
    while not os.path.exists(stop):
        if os.path.exists(path):
            try:
                con = duckdb.connect(path, read_only=True)
                try:
                    publish_id, counts = con.execute(
                        "select publish_id, row_counts from publish_log "
                        "order by published_at desc limit 1"
                    ).fetchone()
                    for name, expected in json.loads(counts).items():
                        got = con.execute(f"select count(*) from {name}").fetchone()[0]
                        if got != expected:
                            errors.append(f"{publish_id} {name}: {got} != {expected}")
                    if publish_id not in versions:
                        versions.append(publish_id)
                    reads += 1
                finally:
                    con.close()
            except Exception as exc:
                errors.append(repr(exc))
        time.sleep(0.05)
    print(json.dumps({"reads": reads, "errors": errors[:5], "versions": versions}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

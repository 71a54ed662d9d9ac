"""Pipeline benchmark: how long each stage of a full materialization takes at a scale.

Printed, never asserted. The figure the quality gate is held to: the GE checks
(`quality_gate` + `source_freshness`) take at most a fifth of the transform (`dbt build`)
at 100k persons; the ratio is measured in the same run. COMMON_FUNNEL_ENGINE (and the
engine's settings) choose where dbt, the checks and the publish run.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from orchestration.settings import ENV_DATA_DIR

QUALITY_STEPS = ("quality_gate", "source_freshness")
TRANSFORM_STEP = "funnel_dbt_models"
PUBLISH_STEP = "publish_marts"


def run_pipeline_benchmark(persons: int, seed: int, workdir: Path | None = None) -> None:
    from dagster import DagsterInstance

    from orchestration.sample.generate import generate
    from orchestration.transform.project import prepare_manifest

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        root = Path(tmp)
        os.environ[ENV_DATA_DIR] = str(root)
        started = time.perf_counter()
        generate(root / "landing", root / "ground_truth", persons, seed)
        print(f"generated {persons:,} persons in {time.perf_counter() - started:.1f} s")
        prepare_manifest(only_if_changed=True)
        from orchestration.definitions import FULL_JOB_NAME, defs

        job = defs.resolve_job_def(FULL_JOB_NAME)
        with DagsterInstance.ephemeral() as instance:
            started = time.perf_counter()
            result = job.execute_in_process(instance=instance, raise_on_error=False)
            total = time.perf_counter() - started
            steps = {
                s.step_key: (s.end_time or 0) - (s.start_time or 0)
                for s in instance.get_run_step_stats(result.run_id)
            }
    ingest = sum(v for k, v in steps.items() if k.startswith("raw_"))
    transform = steps.get(TRANSFORM_STEP, 0.0)
    quality = sum(steps.get(k, 0.0) for k in QUALITY_STEPS)
    from orchestration.settings import load_settings

    engine = load_settings().engine  # COMMON_FUNNEL_ENGINE: the same job on another engine
    print(f"run on {engine} {'succeeded' if result.success else 'FAILED'} in {total:.1f} s")
    for label, seconds in (
        ("ingest (all raw tables)", ingest),
        ("transform (dbt build)", transform),
        ("quality checks (GE)", quality),
        ("publish (copy + swap + charts)", steps.get(PUBLISH_STEP, 0.0)),
    ):
        print(f"  {label:<32} {seconds:8.1f} s")
    if transform:
        ratio = quality / transform
        print(f"quality / transform = {ratio:.2f} (target <= 0.20)")

"""A failed `dbt build` as a message about the agreed definitions, and never retried.

dagster-dbt raises a stack trace naming the dbt node. What a reader needs is which test or
model failed, on which table, how many rows, and which agreed definition it enforces; and
a failure caused by the data (a test that finds bad rows, a model whose SQL rejects a value)
is no transient error, so the run must not retry it. A lock held by another process or an
I/O error is transient: those keep dagster-dbt's error, and with it the retry policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import Failure

TRANSIENT = ("could not set lock", "io error", "resource temporarily unavailable")
# What a dbt test enforces when it does not say (`config.meta.definition`) itself.
DEFINITION_OF_TEST = {
    "primary_key": "the semantic layer's keys: every row has one, one row per key",
    "unique": "the semantic layer's keys: one row per key",
    "unique_combination": "the semantic layer's keys: one row per key",
    "not_null": "the semantic layer's required columns",
    "relationships": "references between persons, accounts and opportunities resolve",
    "accepted_values": "values from the agreed definitions file",
}


def _definition(node: Mapping[str, Any]) -> str:
    meta = {**node.get("meta", {}), **node.get("config", {}).get("meta", {})}
    if meta.get("definition"):
        return str(meta["definition"])
    if node.get("resource_type") == "unit_test":
        return "the stage logic of the agreed definitions (dbt unit test)"
    if node.get("resource_type") == "model":
        return "the model builds from the landed data"
    test = (node.get("test_metadata") or {}).get("name", "")
    return DEFINITION_OF_TEST.get(test, f"dbt test {test or node.get('name')}")


def failed_nodes(
    run_results: Mapping[str, Any], manifest: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """(node, what failed and where, definition) of every failed or errored node."""
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    failed = []
    for result in run_results.get("results", []):
        if result.get("status") not in ("fail", "error"):
            continue
        node = nodes.get(result["unique_id"], {})
        attached = node.get("attached_node") or node.get("depends_on", {}).get("nodes", [""])[0]
        where = str(attached).split(".")[-1] if attached else ""
        message = " ".join(str(result.get("message") or "").split())[:300]
        failed.append(
            (
                str(node.get("name") or result["unique_id"]),
                f"{result['status']} on {where or 'its model'}: {message}",
                _definition(node),
            )
        )
    return failed


def dbt_failure(
    run_results: Mapping[str, Any] | None, manifest: Mapping[str, Any]
) -> Failure | None:
    """The Failure to raise instead of dagster-dbt's error, or None to keep that error
    (nothing failed in dbt's results, or the cause looks transient)."""
    failed = failed_nodes(run_results or {}, manifest)
    if not failed or any(t in what.lower() for _, what, _ in failed for t in TRANSIENT):
        return None
    return Failure(
        description="dbt build failed; nothing is published: "
        + " | ".join(f"{name} ({what}; definition: {d})" for name, what, d in failed),
        allow_retries=False,  # the data or the SQL is wrong: retrying changes nothing
    )

"""What the UI shows of each dbt model, from a real Dagster build: column lineage down to
the raw tables, and row counts that are the tables' real row counts."""

import json

from orchestration.transform.project import dbt_project
from tests.builds import Built

LINEAGE = "dagster/column_lineage"
SCHEMA = "dagster/column_schema"

# Read off the models' SQL by hand: where a few columns come from.
EXPECTED = {
    ("staging/stg_salesforce__leads", "company_name"): {("raw_salesforce/lead", "company")},
    ("marts/fct_lead_lifecycle", "mql_at"): {("intermediate/int_lifecycle_cycles", "mql_at")},
    ("marts/fct_lead_lifecycle", "acceptance_status"): {
        ("intermediate/int_lifecycle_cycles", "sal_at"),
        ("intermediate/int_lifecycle_cycles", "rejected_at"),
    },
    ("marts/metric_mql_acceptance", "accepted_mqls"): {
        ("intermediate/int_mql_cohorts", "acceptance_status")
    },
}
# Columns made only of constants, row counts or generated series: no upstream column.
WITHOUT_UPSTREAM = {
    "is_total",
    "grain",
    "source_system",
    "records",
    "persons",
    "evidence",
    "stage_changes",
    "business_date",
    "iso_weekday",
    "source_kind",
    "vocabulary",
    "linked_by",
    "value_kind",
}


def _deps(built: Built, key: str) -> dict[str, set[tuple[str, str]]]:
    lineage = built.dbt_metadata[key][LINEAGE].value.deps_by_column
    return {
        column: {(d.asset_key.to_user_string(), d.column_name) for d in deps}
        for column, deps in lineage.items()
    }


def test_column_lineage_follows_the_sql(built_small: Built):
    for (key, column), upstream in EXPECTED.items():
        assert _deps(built_small, key)[column] == upstream, (key, column)


def test_every_model_column_has_lineage_unless_it_is_made_of_constants(built_small: Built):
    models = {k: m for k, m in built_small.dbt_metadata.items() if LINEAGE in m}
    assert len(models) >= 60
    for key, metadata in models.items():
        columns = {c.name.lower() for c in metadata[SCHEMA].value.columns}
        deps = _deps(built_small, key)
        assert set(deps) == columns, key
        orphans = {c for c, d in deps.items() if not d}
        assert orphans <= WITHOUT_UPSTREAM, (key, orphans)


def test_row_counts_are_the_tables_row_counts(built_small: Built):
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    tables = {
        f"{node['schema']}/{node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "table"
    }
    assert len(tables) > 30
    con = built_small.connect()
    try:
        for key in sorted(tables):
            schema, name = key.split("/")
            (rows,) = con.execute(f"select count(*) from {schema}.{name}").fetchone()
            assert built_small.dbt_metadata[key]["dagster/row_count"].value == rows, key
    finally:
        con.close()


def test_every_check_names_the_materialization_of_its_run(built_small: Built):
    # dbt's tests and the GE checks: their targets are fetched in one query per step
    # (orchestration/quality/check_targets.py), after the step's models are stored
    assert len(built_small.check_targets) >= 150
    assert {key[0].split("/")[0] for key in built_small.check_targets} >= {
        "raw_salesforce",
        "staging",
        "marts",
    }
    assert [key for key, ok in built_small.check_targets.items() if not ok] == []

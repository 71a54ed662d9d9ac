"""The dbt semantic layer as Dagster assets."""

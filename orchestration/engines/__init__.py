"""Where the semantic layer is built: DuckDB (embedded, default), PostgreSQL or Spark.

Ingestion always validates and accounts for landed files in the embedded DuckDB (the
ingestion store: the same checks, ledger and quarantine on every engine); an engine then
receives the validated raw and definitions tables (`ship`), dbt builds every model there,
the quality gate queries it there, and the publish writes the published tables there.
"""

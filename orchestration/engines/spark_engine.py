"""Apache Spark: a lake of Parquet folders, dbt-spark, and versioned publishes.

Layout under the Spark folder (COMMON_FUNNEL_SPARK_DIR, default `spark/` beside the
warehouse file):

    lake/<schema>/<table>/        validated raw and definitions tables (ingestion writes)
    warehouse/<schema>.db/<table>/  every table dbt builds (spark.sql.warehouse.dir)
    published/<publish_id>/<table>/ one immutable folder per publish
    published/CURRENT              the publish_id readers read (replaced atomically)

No metastore is needed: dbt registers the lake's tables at the start of each run
(macro `register_landed_tables`), and the pipeline's own session registers the lake's and
dbt's folders before the checks. A publish writes a whole new version folder, audits its
row counts, and only then replaces `CURRENT` (a rename: atomic), so a reader that resolves
`CURRENT` sees a complete version, old or new, never a mix; the previous version is kept
for readers still on it.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.engines.base import (
    LOG_COLUMNS,
    LOG_TABLE,
    Engine,
    GeBatches,
    PublishedVersion,
    PublishRequest,
    Relation,
    Session,
    log_row,
)

ENV_SPARK_DIR = "COMMON_FUNNEL_SPARK_DIR"
ENV_SPARK_MASTER = "COMMON_FUNNEL_SPARK_MASTER"
CURRENT = "CURRENT"

_SESSION: Any = None
_STARTING = threading.Lock()
# schema.table -> (folder, signature) registered in this process's session
_REGISTERED: dict[str, tuple[str, tuple[tuple[str, int, int], ...]]] = {}


def spark_session(master: str | None = None) -> Any:
    """This process's Spark session (started once: the JVM takes seconds)."""
    with _STARTING:
        return _start(master)


def _start(master: str | None) -> Any:
    global _SESSION
    from pyspark.sql import SparkSession

    if _SESSION is None or _SESSION.sparkContext._jsc is None:
        _SESSION = (
            SparkSession.builder.master(master or os.environ.get(ENV_SPARK_MASTER, "local[2]"))
            .appName("common-funnel")
            .config("spark.sql.catalogImplementation", "in-memory")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            # as dbt's profile: no UNION ALL fused into codegen (a Scala 2.13 plan
            # deserialization failure in tasks, dbt_project/profiles.yml)
            .config("spark.sql.codegen.wholeStage.union.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.parquet.inferTimestampNTZ.enabled", "false")
            .getOrCreate()
        )
        _SESSION.sparkContext.setLogLevel("ERROR")
        _REGISTERED.clear()
    return _SESSION


class SparkSqlSession:
    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]


def _folder_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """The data files of a table folder: name, size and modification time."""
    return tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in sorted(path.iterdir()))


def _is_table_folder(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith((".", "_"))


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, warehouse: Path, published: Path, spark_dir: Path | None = None) -> None:
        super().__init__(warehouse, published)
        configured = os.environ.get(ENV_SPARK_DIR)
        self.root = (spark_dir or Path(configured or warehouse.parent / "spark")).resolve()

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def dbt_warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def published_root(self) -> Path:
        return self.root / "published"

    # --- inputs -----------------------------------------------------------------------
    def ship(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        """Each table becomes a Parquet folder, written beside and swapped in by renames."""
        for qualified in tables:
            schema, table = qualified.split(".", 1)
            target = self.lake / schema / table
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = target.with_name(f".{table}.{uuid.uuid4().hex}")
            staging.mkdir()
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
            # JSON is text to Spark
            select = ", ".join(
                f'cast("{name}" as varchar) as "{name}"' if kind == "JSON" else f'"{name}"'
                for name, kind in columns
            )
            con.execute(
                f"copy (select {select} from {schema}.{table}) to "
                f"'{staging / 'part-0.parquet'}' (format parquet)"
            )
            old = target.with_name(f".{table}.old.{uuid.uuid4().hex}")
            if target.exists():
                target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)

    # --- dbt --------------------------------------------------------------------------
    def dbt_env(self) -> dict[str, str]:
        return {**super().dbt_env(), ENV_SPARK_DIR: str(self.root)}

    def before_dbt(self) -> None:
        """dbt's session has no metastore: every run builds into an empty warehouse
        folder (a table folder left from the last run would refuse its CREATE TABLE)."""
        shutil.rmtree(self.dbt_warehouse, ignore_errors=True)
        self.dbt_warehouse.mkdir(parents=True, exist_ok=True)
        # this process's own session (for the checks and the publish) starts meanwhile
        threading.Thread(target=spark_session, name="spark-session", daemon=True).start()

    def register(self, spark: Any) -> None:
        """Make the lake's and dbt's tables known to this process's session by name; a
        table whose folder did not change since it was registered is left as it is."""
        found: list[tuple[str, str, Path]] = []
        if self.lake.is_dir():
            for schema in filter(_is_table_folder, sorted(self.lake.iterdir())):
                found += [(schema.name, t.name, t) for t in sorted(schema.iterdir())]
        if self.dbt_warehouse.is_dir():
            for schema in sorted(self.dbt_warehouse.glob("*.db")):
                found += [(schema.name[:-3], t.name, t) for t in sorted(schema.iterdir())]
        for schema, table, path in found:
            if not _is_table_folder(path):
                continue
            signature = (str(path), _folder_signature(path))
            if _REGISTERED.get(f"{schema}.{table}") == signature:
                continue
            spark.sql(f"create database if not exists {schema}")
            spark.sql(f"drop table if exists {schema}.{table}")
            spark.sql(f"create table {schema}.{table} using parquet location '{path}'")
            _REGISTERED[f"{schema}.{table}"] = signature

    # --- checks -----------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        spark = spark_session()
        self.register(spark)
        yield SparkSqlSession(spark)

    def numeric_columns(self, session: Session, schema: str, table: str) -> list[str]:
        assert isinstance(session, SparkSqlSession)
        fields = session.spark.table(f"{schema}.{table}").schema.fields
        return [f.name for f in fields if f.dataType.typeName() in ("double", "float")]

    def columns(
        self, session: Session, relations: Collection[Relation]
    ) -> dict[Relation, list[tuple[str, str]]]:
        """From the session's catalog (Spark has no information_schema); dbt's views live
        in dbt's own session and are left out."""
        assert isinstance(session, SparkSqlSession)
        found: dict[Relation, list[tuple[str, str]]] = {}
        for schema, table in sorted(relations):
            if not session.spark.catalog.tableExists(f"{schema}.{table}"):
                continue
            fields = session.spark.table(f"{schema}.{table}").schema.fields
            found[(schema, table)] = [(f.name, f.dataType.simpleString()) for f in fields]
        return found

    def non_finite(self, column: str) -> str:
        return f"(isnan(`{column}`) or abs(`{column}`) = double('infinity'))"

    @contextmanager
    def ge_batches(self, context: Any) -> Iterator[GeBatches]:
        spark = spark_session()
        self.register(spark)
        datasource = context.data_sources.add_spark(name="warehouse")

        def batch(schema: str, table: str) -> tuple[Any, dict[str, Any]]:
            asset = datasource.add_dataframe_asset(name=f"{schema}.{table}")
            definition = asset.add_batch_definition_whole_dataframe("whole_table")
            return definition, {"dataframe": spark.table(f"{schema}.{table}")}

        yield batch

    def fetch_frame(self, session: Session, qualified: str) -> Any:
        assert isinstance(session, SparkSqlSession)
        return session.spark.table(qualified).toPandas()

    # --- publish ----------------------------------------------------------------------
    def current_version(self) -> str | None:
        pointer = self.published_root / CURRENT
        return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None

    def publish(self, request: PublishRequest) -> PublishedVersion:
        spark = spark_session()
        self.register(spark)
        publish_id = uuid.uuid4().hex
        published_at = datetime.now(UTC)
        version = self.published_root / publish_id
        previous = self.current_version()
        log = self.read_log()
        try:
            row_counts: dict[str, int] = {}
            for name, source in sorted(request.tables.items()):
                spark.table(source).write.parquet(str(version / name))
                written = spark.read.parquet(str(version / name)).count()
                expected = spark.table(source).count()
                if written != expected:
                    raise RuntimeError(
                        f"publish audit: {version / name} has {written} rows, {source} {expected}"
                    )
                row_counts[name] = int(written)
            log.append(log_row(request, publish_id, published_at, row_counts))
            schema = (
                "publish_id string, published_at timestamp, dagster_run_id string, "
                "definitions_version string, checks_passed int, checks_failed int, "
                "row_counts string, accepted_changes string"
            )
            spark.createDataFrame(log, schema).coalesce(1).write.parquet(str(version / LOG_TABLE))
            request.confirm()
            pointer = self.published_root / f".{CURRENT}.{publish_id}"
            pointer.write_text(publish_id + "\n", encoding="utf-8")
            with pointer.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(pointer, self.published_root / CURRENT)  # the publish, atomically
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        # keep the new version and the one before (a reader may still be on it)
        for old in self.published_root.iterdir():
            if old.is_dir() and old.name not in (publish_id, previous):
                shutil.rmtree(old, ignore_errors=True)
        return PublishedVersion(publish_id, published_at, str(version), row_counts)

    def read_log(self) -> list[tuple[Any, ...]]:
        current = self.current_version()
        if current is None:
            return []
        spark = spark_session()
        frame = spark.read.parquet(str(self.published_root / current / LOG_TABLE))
        columns = [c if c != "published_at" else "unix_micros(published_at)" for c in LOG_COLUMNS]
        rows = frame.selectExpr(*columns).orderBy("unix_micros(published_at)").collect()
        return [(r[0], datetime.fromtimestamp(r[1] / 1e6, UTC), *tuple(r)[2:]) for r in rows]

    def published_location(self) -> str:
        return (
            f"Parquet folders {self.published_root}/<CURRENT>/<table> (the folder named in "
            f"{self.published_root / CURRENT})"
        )

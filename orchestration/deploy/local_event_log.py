"""Dagster's SQLite event log, without its per-event connection cost.

Dagster's `SqliteEventLogStorage` builds a new SQLAlchemy engine, opens a connection,
commits with a full `fsync` and disposes of the engine for every event it stores, and a
run of this project stores about 1,100 events (one per planned and materialized asset, per
check, per step): measured, 6 to 7 ms per event, a fifth of a 300-person run. This
subclass keeps one engine and one connection per database file for the life of the
process (used under the storage's own lock, one caller at a time, so it is safe across
threads) and commits the WAL without waiting for the disk (`synchronous = NORMAL`: the
database cannot be corrupted by a crash; the last events of a run may be lost if the
machine itself loses power). Everything else, files and schema included, is Dagster's:
an instance written by one reads with the other. Production uses PostgreSQL
(`dagster.postgres.yaml`) and is not concerned.

Configured in `dagster_home/dagster.yaml` as the `event_log_storage`. The run storage and
schedule storage stay Dagster's defaults beside it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._config import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

BUSY_TIMEOUT_SECONDS = 30  # as Dagster's own SQLite storage
OPEN_FILES = 16  # databases kept open per process (the index and the recent runs)


def _configure(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


class LocalEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with engines and connections kept open (see module doc)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        # the instance folder (DAGSTER_HOME); the files go where Dagster's default puts them
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> LocalEventLogStorage:
        base_dir = os.path.join(str(config_value["dagster_home"]), "history", "runs", "")
        return cls(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            event.listen(engine, "connect", _configure)
            self._engines[shard] = engine
            while len(self._engines) > OPEN_FILES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def wipe(self) -> None:
        self._close_all()  # no connection may outlive the files wipe deletes
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()

    def _close_all(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

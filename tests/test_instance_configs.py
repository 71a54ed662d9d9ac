"""The two shipped Dagster instance files: the local default and the PostgreSQL variant.

(The PostgreSQL one runs for real against a server in tests/test_dagster_ui.py.)"""

import shutil
from pathlib import Path

import pytest
import yaml
from dagster import DagsterInstance
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.storage.runs import SqliteRunStorage

from orchestration.deploy.local_event_log import LocalEventLogStorage
from orchestration.settings import PROJECT_ROOT

LOCAL = PROJECT_ROOT / "dagster_home" / "dagster.yaml"
POSTGRES = PROJECT_ROOT / "orchestration" / "deploy" / "dagster.postgres.yaml"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_postgres_variant_is_the_local_file_plus_postgres_storage():
    local, production = _load(LOCAL), _load(POSTGRES)
    assert "storage" not in local  # SQLite beside the file
    # the local file's own event log is SQLite's; PostgreSQL replaces every storage
    assert set(local) - set(production) == {"event_log_storage"}
    assert {k: v for k, v in production.items() if k != "storage"} == {
        k: v for k, v in local.items() if k != "event_log_storage"
    }


def test_postgres_credentials_come_only_from_the_environment():
    database = _load(POSTGRES)["storage"]["postgres"]["postgres_db"]
    assert set(database) == {"hostname", "port", "username", "password", "db_name"}
    for field, value in database.items():
        assert set(value) == {"env"}, field
        assert value["env"].startswith("DAGSTER_PG_"), field


def test_the_local_instance_is_sqlite_queued_one_run_at_a_time_without_telemetry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copy(LOCAL, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.run_storage, SqliteRunStorage)
        assert isinstance(instance.event_log_storage, LocalEventLogStorage)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        concurrency = instance.get_concurrency_config()  # what the queue daemon reads
        assert concurrency.run_queue_config.max_concurrent_runs == 1
        assert concurrency.pool_config.default_pool_limit == 1
        assert not instance.telemetry_enabled

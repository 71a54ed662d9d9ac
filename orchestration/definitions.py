"""The one place where assets, jobs and resources meet."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Backoff,
    Definitions,
    RetryPolicy,
    colored_console_logger,
    define_asset_job,
    in_process_executor,
)

from orchestration.automation.freshness import sources_policy
from orchestration.automation.landing_sensor import build_landing_sensor
from orchestration.automation.schedules import daily_schedule
from orchestration.automation.tags import run_tags
from orchestration.common_language.assets import agreed_definitions
from orchestration.ingest.assets import build_ingest_assets
from orchestration.progress import progress_logger, run_file_logger
from orchestration.proposals.job import propose_definitions
from orchestration.publish.assets import build_publish_assets
from orchestration.quality.checks import build_quality_checks, with_great_expectations_kind
from orchestration.quality.suites import committed_suites
from orchestration.resources import (
    DefinitionsFileResource,
    LandingResource,
    PublishedResource,
    SourcesResource,
    WarehouseResource,
)
from orchestration.settings import load_settings
from orchestration.transform.assets import build_dbt_assets
from orchestration.transform.dbt_resource import dbt_resource
from orchestration.transform.project import dbt_project, prepare_if_dev

FULL_JOB_NAME = "full_materialization"

full_materialization = define_asset_job(
    name=FULL_JOB_NAME,
    # sources included: in fivetran mode the connector's tables are observed first
    selection=AssetSelection.all(include_sources=True),
    description="Everything, landing files to published tables, in one run.",
    # transient errors (a file still being written, a lock held by a reader tool) get two
    # more tries; bad data and broken files raise Failure(allow_retries=False) instead
    op_retry_policy=RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL),
    # a run launched by hand in the UI says so; schedule, sensor and CLI tags override it
    run_tags=run_tags("manual", "launched by hand"),
)

# Under `dagster dev` the manifest is re-parsed on start when the dbt project changed
# (unless COMMON_FUNNEL_DBT_PREPARED says it was prepared ahead); everywhere else it must
# have been prepared
# (`common-funnel prepare`): loading definitions never parses the dbt project.
_settings = load_settings()
_suites = committed_suites()  # read once: the checks and the publish's audit share them
_dbt_project = dbt_project()
if not _settings.dbt_prepared:
    prepare_if_dev(_dbt_project)

defs = Definitions(
    assets=with_great_expectations_kind(
        [
            *build_ingest_assets(sources_policy(_settings.definitions_path), _settings.sources),
            agreed_definitions,
            build_dbt_assets(_dbt_project),
            build_publish_assets(_dbt_project.manifest_path, _suites),
        ],
        _suites,
    ),
    asset_checks=build_quality_checks(_suites, _settings.sources),
    jobs=[full_materialization, propose_definitions],
    schedules=[daily_schedule(_settings, FULL_JOB_NAME)],
    sensors=[build_landing_sensor(FULL_JOB_NAME)],
    resources={
        "warehouse": WarehouseResource(),
        "landing": LandingResource(),
        "definitions_file": DefinitionsFileResource(),
        "published": PublishedResource(),
        "sources": SourcesResource(),
        "dbt": dbt_resource(),
    },
    # DuckDB takes one writer process: steps run in the run's own process, one at a time.
    executor=in_process_executor,
    # console by default (the UI, the daemon); progress + run_file for `common-funnel`
    loggers={
        "console": colored_console_logger,
        "progress": progress_logger,
        "run_file": run_file_logger,
    },
)

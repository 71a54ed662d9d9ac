"""Import the later steps' heavy libraries while dbt runs.

The full job runs its steps in one process (`in_process_executor`). Great Expectations
takes 3-4 s to import and Altair with vl-convert about half a second, and vl-convert's
JavaScript engine a third of a second more at its first chart; done in a background thread
while the dbt step mostly waits on dbt's process, the quality gate and the publish no
longer pay for them. Python's import locks make a concurrent import of the same module by
the step itself wait for this one, not repeat it.
"""

from __future__ import annotations

import importlib
import logging
import threading

LATER_STEPS = ("great_expectations", "orchestration.publish.charts")

logger = logging.getLogger(__name__)


def _start_chart_renderer() -> None:
    from orchestration.publish.charts import start_renderer

    start_renderer()


def _warm(modules: tuple[str, ...]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # the step that needs it will raise it properly
            logger.debug("warm import of %s failed: %s", module, error)
    if "orchestration.publish.charts" in modules:
        try:
            _start_chart_renderer()
        except Exception as error:  # the publish renders the charts and reports a failure
            logger.debug("starting the chart renderer failed: %s", error)


def warm_in_background(modules: tuple[str, ...] = LATER_STEPS) -> threading.Thread:
    thread = threading.Thread(target=_warm, args=(modules,), name="warm-imports", daemon=True)
    thread.start()
    return thread

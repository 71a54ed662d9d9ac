"""Import the later steps' heavy libraries while dbt runs.

The full job runs its steps in one process (`in_process_executor`). Great Expectations
takes 3-4 s to import and Altair with vl-convert about half a second; imported in a
background thread while the dbt step mostly waits on dbt's process, the quality gate and
the publish no longer pay for them. Python's import locks make a concurrent import of the
same module by the step itself wait for this one, not repeat it.
"""

from __future__ import annotations

import importlib
import logging
import threading

LATER_STEPS = ("great_expectations", "altair", "vl_convert")

logger = logging.getLogger(__name__)


def _import_all(modules: tuple[str, ...]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # the step that needs it will raise it properly
            logger.debug("warm import of %s failed: %s", module, error)


def warm_in_background(modules: tuple[str, ...] = LATER_STEPS) -> threading.Thread:
    thread = threading.Thread(target=_import_all, args=(modules,), name="warm-imports", daemon=True)
    thread.start()
    return thread

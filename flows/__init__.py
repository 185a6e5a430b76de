"""Prefect flows: a thin shell over corpus/, nlp/, models/ and store/.

Importing this package sets quiet, offline defaults for Prefect (only where the user has not
set them), before any flow module imports Prefect itself.
"""

from __future__ import annotations

import os

PREFECT_DEFAULTS = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    # Dask's scheduler and nannies log every start and stop at INFO: keep the terminal clean
    "DASK_LOGGING__DISTRIBUTED": "warning",
    "DASK_DISTRIBUTED__SCHEDULER__DASHBOARD": "false",
}

for _key, _value in PREFECT_DEFAULTS.items():
    os.environ.setdefault(_key, _value)

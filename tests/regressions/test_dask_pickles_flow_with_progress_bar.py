"""Regression: ``credscope refresh --task-runner dask`` failed with "Could not serialize
object of type LLGExpr": Dask pickled the flow function by value, and with it the live rich
progress bar it reached through a module global (a lock does not pickle)."""

from __future__ import annotations

import threading

import cloudpickle


def test_flow_function_pickles_while_a_progress_bar_is_set() -> None:
    import flows  # noqa: F401 - quiet Prefect defaults
    from flows import reporting
    from flows.refresh import refresh_corpus

    lock = threading.RLock()

    def reporter(_event: str, _data: object) -> None:
        with lock:
            pass

    reporting.set_reporter(reporter)
    try:
        cloudpickle.dumps(refresh_corpus.fn)
    finally:
        reporting.set_reporter(None)

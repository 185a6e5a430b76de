"""Dask worker preload: start loading the analysers as soon as a worker starts.

Loading the spaCy pipeline and the theme model takes seconds (mostly imports). A worker that
loads them only when its first batch arrives makes that batch, and the whole run, wait; a
worker started with this preload loads them while the scheduler is still handing out work.
``refresh --task-runner dask`` starts its LocalCluster with it; on other machines use
``dask worker tcp://scheduler:8786 --preload flows.dask_preload``.
"""

from __future__ import annotations

from typing import Any


def dask_setup(worker: Any) -> None:  # noqa: ARG001 - the signature Dask calls
    """Called by Dask in each worker process at start-up; must not block its event loop,
    so the load runs in a background thread (a batch arriving meanwhile waits for it)."""
    import flows  # noqa: F401 - Prefect's quiet, offline defaults before anything loads it
    from flows.pipeline import preload_analysers

    preload_analysers()

"""The progress reporter of the current process (a rich progress bar, in the CLI).

Kept in its own module, not as a global of ``flows.refresh``: Dask pickles a flow's function
by value with the globals it reaches, and a live progress bar (locks, a console) does not
pickle. A module is pickled by reference, so the flow reaches the reporter through here.
"""

from __future__ import annotations

from flows.pipeline import Reporter

_current: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    global _current
    _current = reporter


def current_reporter() -> Reporter | None:
    return _current

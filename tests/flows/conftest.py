"""Only tests/flows starts Prefect: one temporary server for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    import flows  # noqa: F401, I001 - sets Prefect's quiet, offline defaults before it loads
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield

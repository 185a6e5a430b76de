from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp_pipeline():
    from nlp.pipeline import load_nlp

    return load_nlp()

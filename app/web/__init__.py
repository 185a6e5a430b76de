"""The review web app (FastAPI, server-rendered templates, a little JavaScript)."""

from __future__ import annotations

from typing import Any


def create_app(
    db_url: str, token: str | None = None, reviewer: str | None = None, *, warm_up: bool = False
) -> Any:
    """The FastAPI app over the store at ``db_url`` (``warm_up`` builds the review queue and
    indexes in a background thread at start)."""
    from app.web.app import create_app as _create

    return _create(db_url, token=token, reviewer=reviewer, warm_up=warm_up)

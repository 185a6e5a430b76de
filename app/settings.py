"""One settings object, read at the edges only (CLI and web app): ``CREDSCOPE_*`` variables."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "credscope.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDSCOPE_", extra="ignore")

    db: str | None = None  # CREDSCOPE_DB: a SQLAlchemy URL or a SQLite file path
    review_token: str | None = None  # CREDSCOPE_REVIEW_TOKEN
    reviewer: str | None = None  # CREDSCOPE_REVIEWER


def resolve_db_url(db: str | None = None) -> str:
    """``--db`` beats ``CREDSCOPE_DB`` beats ``./credscope.db`` (a SQLite file)."""
    from store.connect import normalise_url

    value = db or Settings().db or str(Path.cwd() / DEFAULT_DB)
    return normalise_url(value)

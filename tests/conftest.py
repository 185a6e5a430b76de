"""Fixtures shared by every test package: paths, stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CORPUS = DATA / "corpus"
GOLD = DATA / "annotations" / "passages.jsonl"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def gold_records() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def _pg_base_url() -> str | None:
    return os.environ.get("CREDSCOPE_TEST_PG")


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema per test, dropped afterwards."""
    base = _pg_base_url()
    if not base:
        pytest.skip("CREDSCOPE_TEST_PG is not set (a PostgreSQL URL); .ci/run sets it")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - unreachable server: skip, do not fail
        admin.dispose()
        pytest.skip(f"PostgreSQL at CREDSCOPE_TEST_PG is not reachable: {exc}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    from store.connect import dispose_all

    dispose_all()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Store tests run on both backends; PostgreSQL skips cleanly when unavailable."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")

"""Migrations: applied on first use, legacy stores upgraded, views and read-only engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from findings_factory import build_store, decide
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from store.connect import _script_head, connect, connect_read_only, current_revision, dispose_all
from store.schema import metadata


def test_fresh_store_is_at_head_with_views(db_url: str) -> None:
    e = build_store(db_url)
    with e.connect() as conn:
        assert current_revision(conn) == _script_head()
        views = set(inspect(conn).get_view_names())
        tables = set(inspect(conn).get_table_names())
    assert {"findings", "effective_labels", "review_decisions"} <= views
    assert "review_assignments" in tables


def parse(value: object) -> object:
    """A JSON column: text on SQLite, already decoded on PostgreSQL."""
    return value if isinstance(value, list) else json.loads(str(value))


def test_findings_view_has_json_arrays_after_review(db_url: str) -> None:
    e = build_store(db_url)
    decide(e, "Sweden trusts", "theme", "trust", "reject")
    decide(e, "Sweden trusts", "country", "NO", "accept")
    with e.connect() as conn:
        row = conn.execute(
            text(
                "SELECT themes, countries, sectors, link, review_status FROM findings "
                "WHERE text LIKE 'Sweden trusts%'"
            )
        ).one()
    assert parse(row.themes) == [] and parse(row.countries) == ["NO", "SE"]
    assert parse(row.sectors) == ["G"] and row.link.endswith("#page=1")
    assert row.review_status == "reviewed"


def test_legacy_create_all_store_is_stamped_and_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    metadata.create_all(old)  # how the foundation made stores
    with old.begin() as conn:
        conn.execute(text("DROP INDEX ix_passages_live"))
        conn.execute(text("DROP INDEX ix_reviews_latest"))
    old.dispose()
    e = build_store(url)
    with e.connect() as conn:
        assert current_revision(conn) == _script_head()
        assert conn.execute(text("SELECT count(*) FROM passages_fts")).scalar_one() == 5


def test_read_only_engine_refuses_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    build_store(url)
    ro = connect_read_only(url)
    with ro.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM passages")).scalar_one() == 5
        with pytest.raises(OperationalError):
            conn.execute(text("DELETE FROM passages"))
    dispose_all()


def test_read_only_engine_postgresql(pg_url: str) -> None:
    from sqlalchemy.exc import InternalError

    build_store(pg_url)
    ro = connect_read_only(pg_url)
    with ro.connect() as conn, pytest.raises(InternalError):  # ReadOnlySqlTransaction
        conn.execute(text("DELETE FROM labels"))


def test_connect_twice_is_cheap_and_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    connect(url)
    dispose_all()
    e = connect(url)
    with e.connect() as conn:
        assert current_revision(conn) == _script_head()

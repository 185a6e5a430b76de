"""Cached engines notice a SQLite file that was deleted or replaced (long-lived workers)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from store.connect import connect, connect_read_only


def _documents_in_file(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from documents").fetchone()[0]


def _add_document(url: str, doc_id: str) -> None:
    with connect(url).begin() as conn:
        conn.execute(
            text(
                "insert into documents (document_id, source, kind, status)"
                " values (:d, :u, 'txt', 'ok')"
            ),
            {"d": doc_id, "u": f"file:///{doc_id}.txt"},
        )


def test_a_deleted_store_file_is_recreated_not_written_through_a_stale_engine(
    tmp_path: Path,
) -> None:
    db = tmp_path / "store.db"
    url = f"sqlite:///{db}"
    _add_document(url, "a")
    first = connect(url)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    _add_document(url, "b")

    assert connect(url) is not first
    assert db.exists() and _documents_in_file(db) == 1  # "b", in the new file
    with connect_read_only(url).connect() as conn:
        assert conn.execute(text("select document_id from documents")).scalars().all() == ["b"]


def test_an_unchanged_store_file_keeps_its_engine(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert connect(url) is connect(url)
    assert connect_read_only(url) is connect_read_only(url)

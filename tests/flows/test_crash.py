"""A refresh killed with SIGKILL midway, then run again, ends in exactly the store an
uninterrupted run gives (documents, passages and labels; timestamps and ids aside)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import small_corpus, snapshot
from sqlalchemy import create_engine, func, select, text

pytestmark = pytest.mark.slow


def _n_documents(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            return conn.execute(text("select count(*) from documents")).scalar_one()
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return 0
    finally:
        engine.dispose()


def test_killed_refresh_resumes_to_the_same_store(tmp_path: Path) -> None:
    from flows.pipeline import run_plain
    from store.connect import connect
    from store.schema import runs

    corpus = small_corpus(tmp_path / "corpus", n_txt=30, n_html=30, n_pdf=3)
    killed_db = tmp_path / "killed.db"
    cli = Path(sys.executable).with_name("credscope")
    proc = subprocess.Popen(
        [str(cli), "refresh", str(corpus), "--db", str(killed_db), "--no-prefect"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100"},
    )
    deadline = time.monotonic() + 300
    while _n_documents(killed_db) < 15 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the refresh ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = _n_documents(killed_db)
    assert 15 <= partial < 63

    url = f"sqlite:///{killed_db}"
    resumed = run_plain([corpus], url)  # the dead holder's lease is taken over
    assert resumed.counts["new"] + resumed.counts["failed"] == 63 - partial

    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    run_plain([corpus], clean)
    assert snapshot(url) == snapshot(clean)
    with connect(url).connect() as conn:
        statuses = conn.execute(select(runs.c.status, func.count()).group_by(runs.c.status))
        assert dict(statuses.all()) == {"running": 1, "completed": 1}  # the killed run shows

"""The refresh lease: one writer at a time; a dead or expired holder is taken over."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from store.connect import connect
from store.lease import LeaseHeld, LeaseLost, acquire, current, release, renew


def test_second_holder_is_refused_until_release(sqlite_url: str) -> None:
    engine = connect(sqlite_url)
    first = acquire(engine, "refresh", "host-a:1:x")
    with pytest.raises(LeaseHeld, match="another refresh is running \\(host-a:1:x"):
        acquire(engine, "refresh", "host-b:2:y")
    release(engine, first)
    second = acquire(engine, "refresh", "host-b:2:y")
    assert current(engine, "refresh").holder == second.holder


def test_expired_lease_is_taken_over_and_the_old_holder_notices(sqlite_url: str) -> None:
    engine = connect(sqlite_url)
    old = acquire(engine, "refresh", "host-a:1:x", ttl=timedelta(seconds=-1))
    new = acquire(engine, "refresh", "host-b:2:y")
    with pytest.raises(LeaseLost):
        renew(engine, old)
    assert renew(engine, new).expires_at > new.expires_at - timedelta(seconds=1)


def test_lease_of_a_killed_process_is_taken_over(sqlite_url: str) -> None:
    from store.lease import new_holder

    engine = connect(sqlite_url)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host = new_holder().split(":")[0]
    acquire(engine, "refresh", f"{host}:{proc.pid}:dead")
    assert acquire(engine, "refresh").holder != f"{host}:{proc.pid}:dead"


def test_refresh_exits_with_a_clear_message_while_another_holds_the_store(
    sqlite_url: str, tmp_path: Path
) -> None:
    from app.cli import app
    from flows.pipeline import run_plain

    engine = connect(sqlite_url)
    held = acquire(engine, "refresh", "elsewhere:1:other")
    (tmp_path / "a.txt").write_text("Micro-credentials in Ireland.", encoding="utf-8")
    with pytest.raises(LeaseHeld):
        run_plain([tmp_path / "a.txt"], sqlite_url)
    result = CliRunner().invoke(
        app, ["refresh", str(tmp_path / "a.txt"), "--db", sqlite_url, "--no-prefect"]
    )
    assert result.exit_code == 3
    assert "another refresh is running" in result.output
    release(engine, held)
    assert current(engine, "refresh") is None

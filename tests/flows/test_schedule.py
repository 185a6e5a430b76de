"""``credscope schedule`` with no PREFECT_API_URL: starts a local Prefect server, serves the
refresh deployment with the cron schedule, and stops the server on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_schedule_serves_a_cron_deployment_and_cleans_up(tmp_path: Path) -> None:
    from flows.schedule import free_port

    port = free_port(0)
    api = f"http://127.0.0.1:{port}/api"
    config = tmp_path / "credscope.toml"
    config.write_text(f'[[sources]]\nkind = "folder"\npath = "{tmp_path}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # a server database of its own
    cli = Path(sys.executable).with_name("credscope")
    proc = subprocess.Popen(
        [
            str(cli),
            "schedule",
            "--cron",
            "0 6 * * 1",
            "--config",
            str(config),
            "--db",
            str(tmp_path / "store.db"),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deployment = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                r = httpx.get(f"{api}/deployments/name/refresh_corpus/credscope-refresh", timeout=3)
                if r.status_code == 200:
                    deployment = r.json()
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        assert deployment is not None, proc.stdout.read().decode() if proc.poll() else "timeout"
        crons = [s["schedule"].get("cron") for s in deployment["schedules"]]
        assert crons == ["0 6 * * 1"]
        assert deployment["parameters"]["config"] == str(config.resolve())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    with pytest.raises(httpx.HTTPError):  # the server it started is gone
        httpx.get(f"{api}/health", timeout=3)

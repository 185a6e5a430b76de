"""``credscope schedule``: serve ``refresh_corpus`` as a Prefect deployment on a cron schedule.

``serve`` cannot schedule against Prefect's ephemeral server (measured: nothing ran), so when
no API URL is configured this starts ``prefect server start`` on 127.0.0.1 itself, waits until
it answers, serves, and stops it on exit (Ctrl-C or SIGTERM). Schedules are not paused when
serving stops (``pause_on_shutdown=False``): the next ``credscope schedule`` picks them up.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

DEPLOYMENT_NAME = "credscope-refresh"


class ServerFailed(RuntimeError):
    """The local Prefect server did not come up; ``reason`` says what happened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def configured_api_url() -> str | None:
    """``PREFECT_API_URL`` from the environment or the active Prefect profile."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def free_port(preferred: int = 4200) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise ServerFailed("no free local port")


def wait_healthy(api_url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerFailed(f"prefect server exited with code {proc.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ServerFailed(f"prefect server at {api_url} did not answer within {timeout:.0f} s")


@contextmanager
def local_server(
    port: int | None = None, timeout: float = 180, log: Path | None = None
) -> Iterator[str]:
    """A ``prefect server start`` subprocess on 127.0.0.1; yields its API URL; stops it."""
    port = port or free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    prefect_cli = Path(sys.executable).with_name("prefect")
    cmd = [
        str(prefect_cli) if prefect_cli.exists() else "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    out = log.open("ab") if log else subprocess.DEVNULL
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    try:
        wait_healthy(api_url, timeout, proc)
        yield api_url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if log:
            out.close()  # type: ignore[union-attr]


def _exit_on_sigterm() -> None:
    def handler(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, handler)


def serve_refresh(
    cron: str,
    parameters: dict[str, Any],
    *,
    name: str = DEPLOYMENT_NAME,
    port: int | None = None,
    on_ready: Callable[[str], None] | None = None,
    server_log: Path | None = None,
) -> None:
    """Serve the refresh with this cron schedule until stopped (blocks)."""
    _exit_on_sigterm()
    api_url = configured_api_url()
    if api_url:
        _serve(api_url, cron, parameters, name, on_ready)
        return
    with local_server(port, log=server_log) as local_url:
        _serve(local_url, cron, parameters, name, on_ready)


def _serve(
    api_url: str,
    cron: str,
    parameters: dict[str, Any],
    name: str,
    on_ready: Callable[[str], None] | None,
) -> None:
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.types.entrypoint import EntrypointType

    from flows.refresh import refresh_corpus

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        os.environ["PREFECT_API_URL"] = api_url  # for the flow-run subprocesses serve starts
        deployment = refresh_corpus.to_deployment(
            name,
            cron=cron,
            parameters=parameters,
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        if on_ready:
            on_ready(api_url)
        serve(deployment, pause_on_shutdown=False, print_starting_message=False)

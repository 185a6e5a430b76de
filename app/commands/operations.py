"""Commands for running credscope over time: runs (the refresh history) and schedule."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from app.commands.corpus import DEFAULT_CONFIG, TaskRunnerKind
from app.options import DbOption, TableFormat
from app.output import console, err_console
from app.settings import resolve_db_url

RUN_COUNTS = ("new", "changed", "unchanged", "retired", "failed")


def runs(
    db: DbOption = None,
    format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
    limit: Annotated[int, typer.Option(help="How many runs, newest first.", min=1)] = 20,
) -> None:
    """Refresh runs, newest first: counts and how theme/country/sector counts moved.

    Example: credscope runs --format json
    """
    from store.connect import connect
    from store.runs import list_runs

    rows = [_run_record(r) for r in list_runs(connect(resolve_db_url(db)), limit=limit)]
    if format == TableFormat.json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=f"{len(rows)} runs")
    for column in ("started", "s", "status", *RUN_COUNTS):
        table.add_column(column, justify="right" if column in RUN_COUNTS else "left", no_wrap=True)
    table.add_column("label changes", overflow="fold")
    for r in rows:
        moved = "; ".join(
            f"{kind} "
            + ", ".join(f"{v} {d:+d}" for v, d in _biggest(delta))
            + (f" (+{len(delta) - 3} more)" if len(delta) > 3 else "")
            for kind, delta in sorted(r["label_changes"].items())
            if delta
        )
        table.add_row(
            str(r["started_at"])[:19],
            "" if r["seconds"] is None else f"{r['seconds']:.1f}",
            r["status"],
            *(str(r[c]) for c in RUN_COUNTS),
            moved or "-",
        )
    console.print(table)


def _biggest(delta: dict[str, int], n: int = 3) -> list[tuple[str, int]]:
    return sorted(delta.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:n]


def _run_record(run: dict[str, Any]) -> dict[str, Any]:
    counts = run.get("counts") or {}
    started, finished = run.get("started_at"), run.get("finished_at")
    seconds = (
        (finished - started).total_seconds()
        if isinstance(started, datetime) and isinstance(finished, datetime)
        else None
    )
    return {
        "run_id": run["run_id"],
        "status": run["status"],
        "started_at": started.isoformat() if isinstance(started, datetime) else started,
        "finished_at": finished.isoformat() if isinstance(finished, datetime) else finished,
        "seconds": seconds,
        **{c: counts.get(c, 0) for c in RUN_COUNTS},
        "relabelled": counts.get("relabelled", 0),
        "passages_added": counts.get("passages_added", 0),
        "passages_retired": counts.get("passages_retired", 0),
        "label_changes": run.get("label_changes") or {},
        "model_version": run.get("model_version"),
        "sources": run.get("sources"),
    }


def schedule(
    cron: Annotated[str, typer.Option(help="When to refresh, as a cron expression.")],
    db: DbOption = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Sources file. Default: ./credscope.toml", show_default=False),
    ] = None,
    task_runner: Annotated[TaskRunnerKind, typer.Option()] = TaskRunnerKind.thread,
    batch_size: Annotated[int | None, typer.Option(min=1, show_default=False)] = None,
    workers: Annotated[int, typer.Option(min=1)] = 2,
    dask_address: Annotated[str | None, typer.Option(show_default=False)] = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "credscope-refresh",
    port: Annotated[
        int | None,
        typer.Option(
            help="Port of the local Prefect server started when PREFECT_API_URL "
            "is not set (default 4200, else a free one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the refresh as a Prefect deployment with a cron schedule (blocks; Ctrl-C stops).

    Without PREFECT_API_URL a local Prefect server is started and stopped with this command.

    Example: credscope schedule --cron "0 6 * * 1"
    """
    from corpus.sources import ConfigError, load_config

    path = (config or DEFAULT_CONFIG).expanduser().resolve()
    try:
        load_config(path)
    except ConfigError as exc:
        err_console.print(f"[red]Bad sources file:[/red] {exc.reason}")
        raise typer.Exit(2) from exc
    from flows.schedule import ServerFailed, serve_refresh

    parameters = {
        "db_url": resolve_db_url(db),
        "config": str(path),
        "task_runner": TaskRunnerKind.dask.value if dask_address else task_runner.value,
        "batch_size": batch_size,
        "workers": workers,
        "dask_address": dask_address,
    }

    def ready(api_url: str) -> None:
        console.print(f"Serving [bold]{name}[/bold] on '{cron}' via {api_url} (Ctrl-C stops)")

    try:
        serve_refresh(cron, parameters, name=name, port=port, on_ready=ready)
    except ServerFailed as exc:
        err_console.print(f"[red]Cannot start a local Prefect server:[/red] {exc.reason}")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        pass


def register(app: typer.Typer) -> None:
    app.command()(runs)
    app.command()(schedule)

"""Commands over documents: refresh, extract, documents."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.options import DbOption, TableFormat
from app.output import console, err_console, write_rows
from app.settings import resolve_db_url


class TaskRunnerKind(StrEnum):
    thread = "thread"
    process = "process"
    dask = "dask"


DEFAULT_CONFIG = Path("credscope.toml")


def refresh(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to refresh (none: the sources of --config)."),
    ] = None,
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="Reprocess unchanged documents too.")] = False,
    prefect: Annotated[
        bool, typer.Option(help="Run as a Prefect flow (--no-prefect: plain functions).")
    ] = True,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Sources file, read when no PATHS are given. Default: ./credscope.toml",
            show_default=False,
        ),
    ] = None,
    task_runner: Annotated[
        TaskRunnerKind, typer.Option(help="Where documents are processed.")
    ] = TaskRunnerKind.thread,
    batch_size: Annotated[
        int | None,
        typer.Option(
            help="Documents per task (default: 1, or 50-500 for a large corpus or "
            "a process/dask runner).",
            show_default=False,
            min=1,
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes of a process/dask runner.", min=1)] = 2,
    dask_address: Annotated[
        str | None,
        typer.Option(
            help="An existing Dask scheduler (tcp://host:8786) instead of a local "
            "cluster; implies --task-runner dask.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Refresh the store from documents: fetch, extract, cut, classify, tag, store.

    Only new and changed documents are processed; documents whose source is gone are retired.
    Exit 0 when the run completed, even if some documents failed (they are listed); 2 when
    the paths or the config are unusable; 3 when another refresh holds the store.

    Example: credscope refresh data/corpus --db findings.db
    """
    from store.lease import LeaseHeld

    runner = TaskRunnerKind.dask.value if dask_address else task_runner.value
    if paths:
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            err_console.print(f"[red]No such file or folder:[/red] {', '.join(missing)}")
            raise typer.Exit(2)
        config_path = None
    else:
        config_path = _config_path(config)
    if not prefect and runner != "thread":
        err_console.print(f"[red]--task-runner {runner} needs Prefect[/red] (drop --no-prefect)")
        raise typer.Exit(2)
    db_url = resolve_db_url(db)
    console.print(f"Store: [bold]{db_url}[/bold]")
    try:
        summary = _run_with_progress(
            [str(p) for p in paths] if paths else None,
            db_url,
            force=force,
            prefect=prefect,
            config=config_path,
            task_runner=runner,
            batch_size=batch_size,
            workers=workers,
            dask_address=dask_address,
        )
    except LeaseHeld as exc:
        err_console.print(f"[red]Not refreshing:[/red] {exc.reason}. Try again when it ends.")
        raise typer.Exit(3) from exc
    print_summary(summary)


def _config_path(config: Path | None) -> str:
    """The sources file, checked here so that a bad one is a one-line error."""
    from corpus.sources import ConfigError, load_config

    path = (config or DEFAULT_CONFIG).expanduser().resolve()
    if not path.is_file():
        err_console.print(
            f"[red]No paths given and no sources file at {path}[/red] (give PATHS or --config)"
        )
        raise typer.Exit(2)
    try:
        load_config(path)
    except ConfigError as exc:
        err_console.print(f"[red]Bad sources file:[/red] {exc.reason}")
        raise typer.Exit(2) from exc
    return str(path)


def _run_with_progress(
    paths: list[str] | None,
    db_url: str,
    *,
    force: bool,
    prefect: bool,
    config: str | None = None,
    task_runner: str = "thread",
    batch_size: int | None = None,
    workers: int = 2,
    dask_address: str | None = None,
):  # noqa: ANN202
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        transient=False,
    )
    state: dict[str, int] = {}

    def report(event: str, data: object) -> None:
        if event == "start":
            state["task"] = progress.add_task("Documents", total=int(data), current="")
        elif event == "document" and "task" in state:
            source = getattr(data, "source")  # noqa: B009
            name = Path(source.path).name if source.path else source.uri
            progress.update(state["task"], advance=1, current=name)

    if prefect:
        # Imported before any live display: Prefect's log handlers keep the sys.stdout they
        # see at import, and a rich proxy there makes Dask's task pickling fail.
        import os

        from flows.refresh import run_refresh

        if not os.environ.get("PREFECT_API_URL"):
            console.print("Prefect: ephemeral mode (a temporary local server, ~10 s to start)")
    with progress:
        if prefect:
            return run_refresh(
                paths,
                db_url,
                force=force,
                reporter=report,
                config=config,
                task_runner=task_runner,
                batch_size=batch_size,
                workers=workers,
                dask_address=dask_address,
            )
        from corpus.sources import load_config
        from flows.pipeline import run_plain

        return run_plain(
            paths,
            db_url,
            force=force,
            reporter=report,
            config=load_config(config) if config else None,
        )


def print_summary(summary) -> None:  # noqa: ANN001 - flows.pipeline.RefreshSummary
    from store.connect import connect
    from store.query import store_totals

    totals = store_totals(connect(summary.db_url))
    c = summary.counts
    table = Table(title=f"Refresh finished in {summary.seconds:.1f} s", show_header=False)
    table.add_column("what")
    table.add_column("n", justify="right")
    rows = [
        ("documents new", c.get("new", 0)),
        ("documents changed", c.get("changed", 0)),
        ("documents unchanged", c.get("unchanged", 0)),
        ("documents retired", c.get("retired", 0)),
        ("documents re-labelled (new model)", c.get("relabelled", 0)),
        ("documents failed (this run)", c.get("failed", 0)),
        ("documents ok (store)", totals["documents_ok"]),
        ("documents failed (store)", totals["documents_failed"]),
        ("passages (store)", totals["passages"]),
    ]
    for name, n in rows:
        table.add_row(name, str(n))
    console.print(table)
    labels = Table(title="Passages per label")
    labels.add_column("kind")
    labels.add_column("passages per value")
    for kind in ("theme", "country", "sector"):
        counts = summary.label_counts.get(kind, {})
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        labels.add_row(kind, ", ".join(f"{k} {n}" for k, n in top) or "-")
    console.print(labels)
    changes = getattr(summary, "label_changes", {}) or {}
    if any(changes.values()):
        moved = Table(title="Passages per label: change since the previous run")
        moved.add_column("kind")
        moved.add_column("change per value")
        for kind in ("theme", "country", "sector"):
            delta = sorted((changes.get(kind) or {}).items(), key=lambda kv: (-abs(kv[1]), kv[0]))
            moved.add_row(kind, ", ".join(f"{k} {n:+d}" for k, n in delta) or "-")
        console.print(moved)
    for source, reason in getattr(summary, "source_errors", []) or []:
        err_console.print(
            f"[yellow]Source {source} could not be read:[/yellow] {reason} "
            "(nothing under it was retired)"
        )
    if summary.failed:
        failed = Table(title=f"{len(summary.failed)} documents failed")
        failed.add_column("source", overflow="fold")
        failed.add_column("reason", overflow="fold")
        for source, reason in summary.failed:
            failed.add_row(source, reason)
        console.print(failed)


def extract(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A PDF, HTML or text file.")
    ],
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Print a document's body text (passages separated by blank lines), or JSON with layout.

    Example: credscope extract data/corpus/dossier-1.pdf --format json
    """
    from corpus.errors import ExtractionError
    from corpus.extract import extract_file, extraction_to_dict, extraction_to_text

    try:
        extraction = extract_file(file)
    except ExtractionError as exc:
        err_console.print(f"[red]Cannot extract {file}:[/red] {exc.reason}")
        raise typer.Exit(1) from exc
    if format == "json":
        data = extraction_to_dict(extraction)
        data["passages"] = _passages_json(extraction, file)
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(extraction_to_text(extraction))


def _passages_json(extraction, file: Path) -> list[dict]:  # noqa: ANN001
    from dataclasses import asdict

    from corpus.ids import document_id
    from corpus.passages import split_passages

    doc_id = document_id(file.resolve().as_uri())
    return [asdict(p) for p in split_passages(extraction, doc_id)]


def documents(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="ok or failed")] = None,
    format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
    include_retired: Annotated[bool, typer.Option(help="List retired documents too.")] = False,
) -> None:
    """List documents with their status and, when failed, the reason.

    Example: credscope documents --status failed
    """
    from store.connect import connect
    from store.query import list_documents

    rows = list_documents(
        connect(resolve_db_url(db)), status=status, include_retired=include_retired
    )
    columns = [
        "document_id",
        "source",
        "status",
        "error",
        "title",
        "kind",
        "n_pages",
        "n_passages",
        "retired",
    ]
    if format == TableFormat.table:
        columns = ["document_id", "status", "error", "title", "n_passages"]
    write_rows(rows, format.value, columns, title=f"{len(rows)} documents")


def register(app: typer.Typer) -> None:
    app.command()(refresh)
    app.command()(extract)
    app.command()(documents)

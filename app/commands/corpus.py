"""Commands over documents: refresh, extract, documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.options import DbOption, TableFormat
from app.output import console, err_console, write_rows
from app.settings import resolve_db_url


def refresh(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to refresh.")] = None,
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="Reprocess unchanged documents too.")] = False,
    prefect: Annotated[
        bool, typer.Option(help="Run as a Prefect flow (--no-prefect: plain functions).")
    ] = True,
) -> None:
    """Refresh the store from documents: extract, cut, classify, tag, store.

    Exit 0 when the run completed, even if some documents failed (they are listed).

    Example: credscope refresh data/corpus --db findings.db
    """
    if not paths:
        raise typer.BadParameter("give at least one file or folder", param_hint="PATHS")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[red]No such file or folder:[/red] {', '.join(missing)}")
        raise typer.Exit(2)
    db_url = resolve_db_url(db)
    console.print(f"Store: [bold]{db_url}[/bold]")
    summary = _run_with_progress([str(p) for p in paths], db_url, force=force, prefect=prefect)
    print_summary(summary)


def _run_with_progress(paths: list[str], db_url: str, *, force: bool, prefect: bool):  # noqa: ANN202
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
            name = Path(getattr(data, "source").path).name  # noqa: B009
            progress.update(state["task"], advance=1, current=name)

    with progress:
        if prefect:
            with console.status("Starting Prefect (ephemeral mode)…"):
                from flows.refresh import run_refresh
            return run_refresh(paths, db_url, force=force, reporter=report)
        from flows.pipeline import run_plain

        return run_plain(paths, db_url, force=force, reporter=report)


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
    if summary.failed:
        failed = Table(title=f"{len(summary.failed)} documents failed")
        failed.add_column("source", overflow="fold")
        failed.add_column("reason", overflow="fold")
        for source, reason in summary.failed:
            failed.add_row(source, reason)
        console.print(failed)


def extract(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PDF, HTML or text file.")],
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

    rows = list_documents(connect(resolve_db_url(db)), status=status,
                          include_retired=include_retired)
    columns = ["document_id", "source", "status", "error", "title", "kind", "n_pages",
               "n_passages", "retired"]
    if format == TableFormat.table:
        columns = ["document_id", "status", "error", "title", "n_passages"]
    write_rows(rows, format.value, columns, title=f"{len(rows)} documents")


def register(app: typer.Typer) -> None:
    app.command()(refresh)
    app.command()(extract)
    app.command()(documents)

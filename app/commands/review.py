"""Commands for review in the browser: review (the web app), agreement, assign."""

from __future__ import annotations

import ipaddress
import json
from typing import Annotated

import typer

from app.options import DbOption, TableFormat
from app.output import console, write_rows
from app.settings import Settings, resolve_db_url


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost are loopback; anything else is reachable by others."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def review(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    reviewer: Annotated[
        str | None, typer.Option(help="Reviewer name (default: $CREDSCOPE_REVIEWER, else asked).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Start the review web app: review screen, queue, findings, matrix, agreement.

    Binding to a non-loopback address requires CREDSCOPE_REVIEW_TOKEN (an access token).

    Example: credscope review --port 8765 --reviewer alice
    """
    import uvicorn

    from app.web import create_app

    settings = Settings()
    token = settings.review_token
    if not is_loopback(host) and not token:
        console.print(
            f"[red]Refusing to listen on {host} without an access token: "
            "set CREDSCOPE_REVIEW_TOKEN.[/red]"
        )
        raise typer.Exit(2)
    db_url = resolve_db_url(db)
    app = create_app(db_url, token=token, reviewer=reviewer or settings.reviewer, warm_up=True)
    link = f"http://{host}:{port}/review" + (f"?token={token}" if token else "")
    console.print(f"credscope review on {link}  (store: {db_url})")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def agreement(
    format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
    db: DbOption = None,
) -> None:
    """Per-theme agreement: Cohen's kappa and percent agreement between reviewers and between
    each reviewer and the model.

    Example: credscope agreement --format json
    """
    from dataclasses import asdict

    from models.codebook import theme_ids
    from store.connect import connect
    from store.review import agreement as run_agreement

    rows = run_agreement(connect(resolve_db_url(db)), theme_ids())
    if format == TableFormat.json:
        typer.echo(json.dumps([asdict(r) for r in rows], indent=2))
        return
    if not rows:
        console.print("No decisions yet.")
        return
    table = [
        {
            "theme": r.theme,
            "between": r.a,
            "and": r.b,
            "passages": r.n,
            "agreement": "—" if r.percent is None else f"{100 * r.percent:.0f}%",
            "kappa": "—" if r.kappa is None else f"{r.kappa:.2f}",
        }
        for r in rows
    ]
    write_rows(table, "table", list(table[0]), title="Agreement per theme")


def assign(
    reviewers: Annotated[list[str], typer.Option("--reviewer", help="Repeat: two for overlap.")],
    n: Annotated[int, typer.Option(help="Passages to give them (most uncertain first).")] = 50,
    db: DbOption = None,
) -> None:
    """Give the next N undecided passages of the queue to the reviewers named (both see them).

    Example: credscope assign --reviewer alice --reviewer bob --n 50
    """
    from models.codebook import theme_ids
    from store.connect import connect
    from store.review import assign_share, infer_thresholds

    engine = connect(resolve_db_url(db))
    thresholds = {t: 0.5 for t in theme_ids()} | infer_thresholds(engine)
    k = assign_share(engine, reviewers, n, thresholds)
    console.print(f"Assigned {k} passages to {', '.join(reviewers)}.")


def register(app: typer.Typer) -> None:
    for command in (review, agreement, assign):
        app.command()(command)

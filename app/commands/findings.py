"""Commands over findings: query."""

from __future__ import annotations

from typing import Annotated

import typer

from app.options import DbOption, RowsFormat
from app.output import write_rows
from app.settings import resolve_db_url

QUERY_COLUMNS = ["passage_id", "document_id", "title", "source", "link", "page", "text",
                 "themes", "countries", "sectors", "scores", "model_version"]


def query(
    theme: Annotated[list[str] | None, typer.Option("--theme", help="Repeat for OR.")] = None,
    country: Annotated[list[str] | None, typer.Option("--country", help="ISO alpha-2.")] = None,
    sector: Annotated[list[str] | None, typer.Option("--sector", help="NACE section letter.")] = None,
    document: Annotated[list[str] | None, typer.Option("--document", help="Document id.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Words the passage contains.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
    include_retired: Annotated[bool, typer.Option(help="Include retired passages.")] = False,
    format: Annotated[RowsFormat, typer.Option("--format")] = RowsFormat.table,
    db: DbOption = None,
) -> None:
    """Passages with their evidence and labels. Kinds combine with AND, repeats with OR.

    Example: credscope query --theme trust --country SE --country FI --format csv
    """
    from store.connect import connect
    from store.query import FindingsQuery
    from store.query import query as run_query

    q = FindingsQuery(
        themes=theme or (), countries=country or (), sectors=sector or (),
        documents=document or (), text=text, limit=limit, include_retired=include_retired,
    )
    rows = run_query(connect(resolve_db_url(db)), q)
    columns = QUERY_COLUMNS
    if format == RowsFormat.table:
        columns = ["title", "page", "text", "themes", "countries", "sectors"]
    write_rows(rows, format.value, columns, title=f"{len(rows)} passages", wrap=["text"])


def register(app: typer.Typer) -> None:
    app.command()(query)

"""Commands over findings: query, crosstab, report, export (thin over ``store``)."""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from app.options import DbOption
from app.output import err_console, write_rows
from app.settings import resolve_db_url

QUERY_COLUMNS = [
    "passage_id",
    "document_id",
    "title",
    "source",
    "link",
    "page",
    "text",
    "themes",
    "countries",
    "sectors",
    "scores",
    "model_version",
    "reviewed",
]


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    xlsx = "xlsx"


class CrosstabFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Dim(StrEnum):
    theme = "theme"
    country = "country"
    sector = "sector"
    doc_type = "doc_type"
    year = "year"


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


class Sort(StrEnum):
    document = "document"
    date = "date"
    newest = "-date"
    score = "score"
    title = "title"


Theme = Annotated[list[str] | None, typer.Option("--theme", help="Repeat for OR.")]
Country = Annotated[list[str] | None, typer.Option("--country", help="ISO alpha-2; repeat.")]
Sector = Annotated[list[str] | None, typer.Option("--sector", help="NACE letter; repeat.")]
Document = Annotated[list[str] | None, typer.Option("--document", help="Id or source.")]
DocType = Annotated[list[str] | None, typer.Option("--doc-type", help="Document type.")]
Publisher = Annotated[list[str] | None, typer.Option("--publisher", help="Publisher.")]
DateFrom = Annotated[str | None, typer.Option("--date-from", help="YYYY or YYYY-MM-DD.")]
DateTo = Annotated[str | None, typer.Option("--date-to", help="YYYY or YYYY-MM-DD.")]
Text = Annotated[str | None, typer.Option("--text", help='Full text: words, "phrase", pre*.')]
MinScore = Annotated[float | None, typer.Option("--min-score", help="Theme score >= this.")]
Reviewed = Annotated[bool, typer.Option("--reviewed-only", help="Only reviewed passages.")]
Retired = Annotated[bool, typer.Option("--include-retired", help="Include retired passages.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


def _findings_query(**kw: Any):  # noqa: ANN202 - store.query.FindingsQuery
    from store.query import FindingsQuery

    return FindingsQuery(
        themes=kw.get("theme") or (),
        countries=kw.get("country") or (),
        sectors=kw.get("sector") or (),
        documents=kw.get("document") or (),
        doc_types=kw.get("doc_type") or (),
        publishers=kw.get("publisher") or (),
        date_from=kw.get("date_from"),
        date_to=kw.get("date_to"),
        text=kw.get("text"),
        min_score=kw.get("min_score"),
        reviewed_only=kw.get("reviewed_only", False),
        include_retired=kw.get("include_retired", False),
        limit=kw.get("limit"),
        offset=kw.get("offset") or 0,
        sort=kw.get("sort", "document"),
    )


def _engine(db: str | None):  # noqa: ANN202 - sqlalchemy Engine
    from store.connect import connect_read_only

    return connect_read_only(resolve_db_url(db))


def query(
    theme: Theme = None,
    country: Country = None,
    sector: Sector = None,
    document: Document = None,
    doc_type: DocType = None,
    publisher: Publisher = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    text: Text = None,
    min_score: MinScore = None,
    reviewed_only: Reviewed = False,
    include_retired: Retired = False,
    sort: Annotated[Sort, typer.Option("--sort")] = Sort.document,
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
    offset: Annotated[int, typer.Option(help="Skip this many rows.")] = 0,
    format: Annotated[QueryFormat, typer.Option("--format")] = QueryFormat.table,
    output: Output = None,
    db: DbOption = None,
) -> None:
    """Passages with their evidence and labels (after review). Kinds combine with AND,
    repeats with OR.

    Example: credscope query --theme trust --country SE --country FI --format csv
    """
    from store.export import ExportError, export

    q = _findings_query(**locals())
    engine = _engine(db)
    if format == QueryFormat.table:
        from store.query import query as run_query

        _print_findings(run_query(engine, q), text)
        return
    try:
        n = export(engine, q, format.value, output, columns=QUERY_COLUMNS)
    except ExportError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if output is not None:
        err_console.print(f"{n} passages written to {output}")


def _print_findings(rows: list[Any], words: str | None) -> None:
    """A rich table: the quote wrapped (search words highlighted), themes and countries in
    colour, the source as title and page."""
    import re

    from rich.table import Table
    from rich.text import Text

    from app.output import console

    table = Table(title=f"{len(rows)} passages", show_lines=True, expand=True)
    table.add_column("source", ratio=2, overflow="fold")
    table.add_column("quote", ratio=6, overflow="fold")
    table.add_column("themes", ratio=2, style="bold magenta")
    table.add_column("countries", style="bold cyan", no_wrap=True)
    table.add_column("sectors", no_wrap=True)
    terms = [w for w in re.findall(r"\w+", words or "") if len(w) > 1]
    for f in rows:
        quote = Text(f.text)
        if terms:
            quote.highlight_words(terms, style="bold yellow", case_sensitive=False)
        mark = " ✓" if f.reviewed else ""
        table.add_row(
            f"{f.title or f.source}, p. {f.page}{mark}",
            quote,
            ", ".join(f.themes),
            ", ".join(f.countries),
            ", ".join(f.sectors),
        )
    console.print(table)


def export_findings(
    output: Annotated[Path, typer.Argument(help="File to write (.csv .json .jsonl .xlsx).")],
    theme: Theme = None,
    country: Country = None,
    sector: Sector = None,
    document: Document = None,
    doc_type: DocType = None,
    publisher: Publisher = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    text: Text = None,
    min_score: MinScore = None,
    reviewed_only: Reviewed = False,
    include_retired: Retired = False,
    format: Annotated[QueryFormat | None, typer.Option("--format")] = None,
    db: DbOption = None,
) -> None:
    """Every matching finding, with evidence and review status, to a file (streamed).

    Example: credscope export findings.xlsx --theme trust
    """
    from store.export import ExportError, export

    fmt = format.value if format else output.suffix.lstrip(".").lower()
    q = _findings_query(**locals())
    try:
        n = export(_engine(db), q, fmt, output)
    except ExportError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    err_console.print(f"{n} passages written to {output}")


def open_command(q: Any, rows: str, cols: str, cell: Any) -> str:
    """The ``credscope query`` command line that lists the passages of a cross-tab cell."""
    from store.query import cell_query

    narrowed = cell_query(q, rows, cols, cell)
    args = ["credscope", "query"]
    for flag, values in (
        ("--theme", narrowed.themes),
        ("--country", narrowed.countries),
        ("--sector", narrowed.sectors),
        ("--document", narrowed.documents),
        ("--doc-type", narrowed.doc_types),
        ("--publisher", narrowed.publishers),
    ):
        for v in values:
            args += [flag, str(v)]
    for flag, value in (
        ("--date-from", narrowed.date_from),
        ("--date-to", narrowed.date_to),
        ("--text", narrowed.text),
        ("--min-score", narrowed.min_score),
    ):
        if value is not None:
            args += [flag, str(value)]
    if narrowed.reviewed_only:
        args.append("--reviewed-only")
    if narrowed.include_retired:
        args.append("--include-retired")
    return shlex.join(args)


def crosstab(
    rows: Annotated[Dim, typer.Option("--rows")] = Dim.theme,
    cols: Annotated[Dim, typer.Option("--cols")] = Dim.country,
    theme: Theme = None,
    country: Country = None,
    sector: Sector = None,
    document: Document = None,
    doc_type: DocType = None,
    publisher: Publisher = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    text: Text = None,
    min_score: MinScore = None,
    reviewed_only: Reviewed = False,
    include_retired: Retired = False,
    format: Annotated[CrosstabFormat, typer.Option("--format")] = CrosstabFormat.table,
    plot: Annotated[Path | None, typer.Option("--plot", help="Heatmap PNG.")] = None,
    db: DbOption = None,
) -> None:
    """Passages (and documents) per pair of values; each cell opens with `credscope query`.

    Example: credscope crosstab --rows theme --cols country --format json
    """
    from store.query import crosstab as run_crosstab

    if rows == cols and rows not in (Dim.theme, Dim.country, Dim.sector):
        err_console.print("[red]--rows and --cols must differ[/red]")
        raise typer.Exit(2)
    q = _findings_query(**locals())
    cells = run_crosstab(_engine(db), rows.value, cols.value, q)
    records = [
        {
            "row": c.row,
            "col": c.col,
            "passages": c.passages,
            "documents": c.documents,
            "open": open_command(q, rows.value, cols.value, c),
        }
        for c in cells
    ]
    if format == CrosstabFormat.json:
        write_rows(records, "json", ["row", "col", "passages", "documents"])
    elif format == CrosstabFormat.csv:
        write_rows(records, "csv", ["row", "col", "passages", "documents", "open"])
    else:
        _print_matrix(cells, rows.value, cols.value)
        if cells:
            err_console.print(f"open a cell: {records[0]['open']}")
    if plot is not None:
        from app.plot import heatmap

        heatmap(cells, rows.value, cols.value, plot)
        err_console.print(f"heatmap written to {plot}")


def _print_matrix(cells: list[Any], rows: str, cols: str) -> None:
    from rich.table import Table

    from app.output import console

    row_keys = sorted({c.row for c in cells}, key=lambda v: (v is None, str(v)))
    col_totals: dict[Any, int] = {}
    for c in cells:
        col_totals[c.col] = col_totals.get(c.col, 0) + c.passages
    col_keys = sorted(col_totals, key=lambda k: -col_totals[k])[:30]
    grid = {(c.row, c.col): c for c in cells}
    table = Table(title=f"passages (documents): {rows} x {cols}")
    table.add_column(f"{rows} \\ {cols}", style="bold")
    for k in col_keys:
        table.add_column(str(k), justify="right")
    for r in row_keys:
        table.add_row(
            str(r),
            *(
                f"{grid[(r, k)].passages} ({grid[(r, k)].documents})" if (r, k) in grid else ""
                for k in col_keys
            ),
        )
    console.print(table)
    if len(col_totals) > len(col_keys):
        console.print(
            f"(the {len(col_keys)} largest of {len(col_totals)} columns; --format csv has all)"
        )


def report(
    theme: Annotated[str, typer.Option("--theme", help="The theme of the brief.")],
    country: Country = None,
    sector: Sector = None,
    doc_type: DocType = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    quotes: Annotated[int, typer.Option(help="How many evidence quotes.")] = 10,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.md,
    output: Output = None,
    db: DbOption = None,
) -> None:
    """A findings brief for one theme: counts by country and sector, strongest quotes.

    Example: credscope report --theme trust --format html --output trust.html
    """
    from store.report import report as build

    q = _findings_query(**{k: v for k, v in locals().items() if k != "theme"})
    text = build(_engine(db), theme, format.value, q, quotes=quotes)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"brief written to {output}")


def register(app: typer.Typer) -> None:
    app.command()(query)
    app.command()(crosstab)
    app.command()(report)
    app.command("export")(export_findings)

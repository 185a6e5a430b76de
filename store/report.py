"""A findings brief per theme: counts by country and sector, the strongest evidence quotes.

Counts and quotes use labels after review; quotes are ordered by the model's score for the
theme (reviewer-accepted passages first), each with its document, page and link.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from store.query import FindingsQuery, count, crosstab, query
from store.types import Cell, Finding


@dataclass(frozen=True)
class Brief:
    theme: str
    passages: int
    documents: int
    by_country: list[Cell]
    by_sector: list[Cell]
    quotes: list[Finding]


def build_brief(
    engine: Engine, theme: str, q: FindingsQuery | None = None, *, quotes: int = 10
) -> Brief:
    """The numbers and the quotes of one theme's brief, under the filters of ``q``."""
    q = replace(q or FindingsQuery(), themes=[theme], limit=None, offset=0)
    by_country = [c for c in crosstab(engine, "theme", "country", q) if c.row == theme]
    by_sector = [c for c in crosstab(engine, "theme", "sector", q) if c.row == theme]
    by_type = [c for c in crosstab(engine, "theme", "doc_type", q) if c.row == theme]
    strongest = query(engine, replace(q, sort="score", limit=quotes * 3))
    strongest.sort(key=lambda f: (not f.reviewed, -f.scores.get(theme, 0.0)))
    return Brief(
        theme=theme,
        passages=count(engine, q),
        documents=sum(c.documents for c in by_type),  # each document has one type
        by_country=by_country,
        by_sector=by_sector,
        quotes=strongest[:quotes],
    )


def _quote(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_markdown(brief: Brief) -> str:
    out = [f"# Findings brief: {brief.theme}", ""]
    out.append(f"{brief.passages} passages in {brief.documents} documents.")
    for title, cells in (("country", brief.by_country), ("sector", brief.by_sector)):
        out += ["", f"## By {title}", "", f"| {title} | passages | documents |", "|---|---|---|"]
        out += [f"| {c.col} | {c.passages} | {c.documents} |" for c in cells]
    out += ["", "## Strongest evidence", ""]
    for f in brief.quotes:
        score = f.scores.get(brief.theme)
        tag = "reviewed" if f.reviewed else (f"score {score:.2f}" if score is not None else "")
        quote = _quote(f.text).replace("\n", " ")
        out.append(f"> {quote}")
        out.append(">")
        out.append(f"> — *{f.title or f.source}*, p. {f.page} ({tag}) <{f.link}>")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_html(brief: Brief) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Findings brief: {e(brief.theme)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}"
        "blockquote{border-left:4px solid #888;margin:1em 0;padding:.2em 1em}</style>",
        "</head><body>",
        f"<h1>Findings brief: {e(brief.theme)}</h1>",
        f"<p>{brief.passages} passages in {brief.documents} documents.</p>",
    ]
    for title, cells in (("country", brief.by_country), ("sector", brief.by_sector)):
        parts.append(
            f"<h2>By {title}</h2><table><tr><th>{title}</th><th>passages</th>"
            "<th>documents</th></tr>"
        )
        parts += [
            f"<tr><td>{e(str(c.col))}</td><td>{c.passages}</td><td>{c.documents}</td></tr>"
            for c in cells
        ]
        parts.append("</table>")
    parts.append("<h2>Strongest evidence</h2>")
    for f in brief.quotes:
        score = f.scores.get(brief.theme)
        tag = "reviewed" if f.reviewed else (f"score {score:.2f}" if score is not None else "")
        parts.append(
            f"<blockquote><p>{e(_quote(f.text))}</p><footer><a href='{e(f.link, quote=True)}'>"
            f"{e(f.title or f.source)}</a>, p. {f.page} ({e(tag)})</footer></blockquote>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def report(
    engine: Engine, theme: str, fmt: str = "md", q: FindingsQuery | None = None, *, quotes: int = 10
) -> str:
    """The brief of ``theme`` as Markdown (``md``) or HTML (``html``)."""
    brief = build_brief(engine, theme, q, quotes=quotes)
    if fmt == "html":
        return render_html(brief)
    if fmt == "md":
        return render_markdown(brief)
    raise ValueError(f"unknown report format {fmt!r}; md or html")

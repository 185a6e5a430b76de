"""Export findings as CSV, JSON, JSON Lines or Excel, streamed: 100k+ rows in flat memory.

Every row carries its evidence (title, page, quote, link) and its labels after review.
Spreadsheet safety: text that a spreadsheet would run as a formula (``=``, ``+``, ``@``, or
``-`` followed by a non-space) is prefixed with ``'`` in CSV; in Excel every text cell is
written as a string (never a formula) with characters XML cannot hold removed.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import math
import operator
import queue
import sys
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy import Engine

from store.query import (
    ENTRY_SEP,
    ROW_FIELDS,
    SEP,
    FindingsQuery,
    finding,
    iter_rows,
    source_link,
    unpack_labels,
)
from store.types import Finding

FORMATS = ("csv", "json", "jsonl", "xlsx")
COLUMNS = [
    "passage_id", "document_id", "title", "doc_type", "publisher", "date", "source", "link",
    "page", "char_start", "char_end", "text", "themes", "countries", "sectors", "scores",
    "model_version", "reviewed",
]  # fmt: skip


T = TypeVar("T")


class ExportError(ValueError):
    """An export that cannot be written (unknown format, Excel to a text stream)."""


def export(
    engine: Engine,
    q: FindingsQuery | None,
    fmt: str,
    out: str | Path | IO[Any] | None = None,
    *,
    columns: Sequence[str] = COLUMNS,
) -> int:
    """Write the findings of ``q`` to ``out`` (a path, a stream, or stdout); returns the rows.

    Example: ``export(engine, FindingsQuery(themes=["trust"]), "xlsx", "trust.xlsx")``
    """
    if engine.dialect.name == "postgresql":  # the server computes while we format
        found: Iterator[Sequence[Sequence[Any]]] = read_ahead(lambda: iter_rows(engine, q))
    else:  # in-process SQLite: a thread would only contend for the GIL
        found = iter_rows(engine, q)
    if fmt == "csv":  # the bulk path: plain rows straight into csv.writer, no Finding objects
        with _text_stream(out) as stream:
            return _csv_rows(found, columns, stream)
    return export_rows(([finding(r) for r in rows] for rows in found), fmt, out, columns=columns)


_DONE = object()


def read_ahead(produce: Callable[[], Generator[T, None, None]], depth: int = 2) -> Iterator[T]:
    """The items of ``produce()``, made in a worker thread up to ``depth`` ahead of the caller.

    A PostgreSQL export computes its next batch on the server while this process formats the
    last one (the driver waits on the socket without the GIL): about half the time on two
    cores. The worker's exception is raised here; when the caller stops early the worker
    stops too and closes its generator (so its connection is returned).
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    failure: list[BaseException] = []

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            items = produce()
            try:
                for item in items:
                    if not put(item):
                        break
            finally:
                items.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failure.append(exc)
        finally:
            put(_DONE)

    worker = threading.Thread(target=work, name="export-read-ahead", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not _DONE:
            yield item
        if failure:
            raise failure[0]
    finally:
        stop.set()
        worker.join()


def export_rows(
    batches: Iterable[Sequence[Finding]],
    fmt: str,
    out: str | Path | IO[Any] | None = None,
    *,
    columns: Sequence[str] = COLUMNS,
) -> int:
    """Write batches of findings in ``fmt``; the writers behind ``export``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "csv":
        with _text_stream(out) as stream:
            return _csv_findings(batches, columns, stream)
    rows = (_row(f, columns) for batch in batches for f in batch)
    if fmt == "xlsx":
        if out is None or (isinstance(out, io.TextIOBase) and not hasattr(out, "buffer")):
            raise ExportError("Excel output needs a file: use --output FILE.xlsx")
        return _xlsx(rows, columns, out)
    with _text_stream(out) as stream:
        if fmt == "csv":
            return _csv(rows, columns, stream)
        if fmt == "jsonl":
            n = 0
            for row in rows:
                stream.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                n += 1
            return n
        return _json(rows, stream)


def _row(f: Finding, columns: Sequence[str]) -> dict[str, Any]:
    return {c: getattr(f, c, None) for c in columns}  # not asdict: it deep-copies every value


@contextmanager
def _text_stream(out: str | Path | IO[Any] | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
    elif isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            yield fh
    else:
        yield out


def flat(value: Any) -> str:
    """One spreadsheet cell: lists joined with ", ", mappings as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def defuse(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula."""
    if cell[:1] in ("=", "+", "@", "\t", "\r") or (
        cell[:1] == "-" and cell[1:2] not in ("", " ") and not cell[1:2].isdigit()
    ):
        return "'" + cell
    return cell


def _csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], stream: IO[str]) -> int:
    writer = csv.writer(stream)
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow([defuse(flat(row[c])) for c in columns])
        n += 1
    return n


_RISKY = frozenset("=+@\t\r-")


def _csv_cell(value: Any) -> str:
    """``defuse(flat(value))``, with the common cases (text, numbers) taken first."""
    kind = type(value)
    if kind is str:
        return defuse(value) if value[:1] in _RISKY else value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    return defuse(flat(value))


def _csv_findings(
    batches: Iterable[Sequence[Finding]], columns: Sequence[str], stream: IO[str]
) -> int:
    """CSV straight from the findings: no per-row dict, rows written a batch at a time."""
    writer = csv.writer(stream)
    writer.writerow(columns)
    n = 0
    for batch in batches:
        writer.writerows([[_csv_cell(getattr(f, c, None)) for c in columns] for f in batch])
        n += len(batch)
    return n


# A findings row widened by the cells computed from it, in this order after ROW_FIELDS (a
# column name picks the computed cell when both have it: scores, reviewed)
_DERIVED = ("link", "themes", "countries", "sectors", "scores", "model_version", "reviewed")
_WIDE = {name: i for i, name in enumerate(ROW_FIELDS)}
_WIDE.update({name: len(ROW_FIELDS) + i for i, name in enumerate(_DERIVED)})
_FIELDS = {f.name for f in dataclasses.fields(Finding)}
_LABELS, _SCORES, _REVIEWED = (ROW_FIELDS.index(f) for f in ("labels", "scores", "reviewed"))


@functools.cache
def _json_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def scores_json(packed: str | None) -> tuple[str, str | None]:
    """Packed scores as the JSON text ``json.dumps`` writes for ``unpack_scores``' dict (keys
    by theme, each score rounded to 4 places), and the model version; without building the
    dict, as an export writes this for every row."""
    if not packed:
        return "{}", None
    entries = packed.split(ENTRY_SEP)
    if len(entries) > 1:
        entries.sort()  # by theme: SEP sorts before any character of a theme
    parts = []
    version = ""
    for entry in entries:
        theme, score, version = entry.split(SEP)
        value = round(float(score), 4)
        number = repr(value) if math.isfinite(value) else json.dumps(value)
        parts.append(f"{_json_key(theme)}: {number}")
    return "{" + ", ".join(parts) + "}", version or None


def _csv_rows(
    batches: Iterable[Sequence[Sequence[Any]]], columns: Sequence[str], stream: IO[str]
) -> int:
    """CSV from findings rows (``store.query.iter_rows``), a batch at a time, with the same
    cells ``_csv_cell`` writes for a ``Finding``: each row widened once by its computed cells
    (link, labels joined with ", ", scores as JSON), the columns picked in C, and only text
    cells that could start a formula defused. None and int cells go to csv as they are."""
    picks = [_WIDE[c] if c in _FIELDS else -1 for c in columns]  # -1: not a field, empty
    pick = operator.itemgetter(*picks)
    single = len(picks) == 1
    writer = csv.writer(stream)
    writer.writerow(columns)
    n = 0
    for rows in batches:
        lines = []
        for r in rows:
            found = unpack_labels(r[_LABELS])
            scores, version = scores_json(r[_SCORES])
            wide = (
                *r,
                source_link(r[3], r[4], r[5]),
                ", ".join(found["theme"]),
                ", ".join(found["country"]),
                ", ".join(found["sector"]),
                scores,
                version,
                "True" if r[_REVIEWED] else "False",
                "",
            )
            cells = (pick(wide),) if single else pick(wide)
            lines.append(
                [c if type(c) is not str or c[:1] not in _RISKY else defuse(c) for c in cells]
            )
        writer.writerows(lines)
        n += len(rows)
    return n


def _json(rows: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    n = 0
    stream.write("[")
    for row in rows:
        stream.write(",\n" if n else "\n")
        stream.write(json.dumps(row, ensure_ascii=False, default=str))
        n += 1
    stream.write("\n]\n" if n else "]\n")
    return n


def _xlsx(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: str | Path | IO[Any]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("findings")
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    ws.freeze_panes = "A2"
    n = 0
    for row in rows:
        cells = []
        for c in columns:
            value = row[c]
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(value)
                continue
            cell = WriteOnlyCell(ws, value=None)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", flat(value))[:32767]
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        ws.append(cells)
        n += 1
    target = out if isinstance(out, str | Path) else getattr(out, "buffer", out)
    wb.save(target)
    return n

"""Read a PDF with pdfplumber into plain per-page word lists (``cleanup.PageWords``).

Facts this module relies on (../shared/notes/pdf-extraction.md):
- ``page.close()`` after every page keeps memory flat (10 GB -> 63 MB on 2,000 pages);
  ``pdf.close()`` is not relied on for that.
- Open errors arrive as ``PdfminerException`` whose ``__cause__`` says why.
- Word spacing relative to font size (``x_tolerance_ratio``): the fixed default glues
  the words of justified text.
- ``dedupe_chars()`` only when over ~1% of characters repeat (fake bold); it is costly.
- ``find_tables()`` only on pages with rectangles or vertical rules (a page whose only
  lines are horizontal rules under the running head has no ruled table).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psparser import PSEOF, PSException
from pdfplumber.utils.exceptions import PdfminerException

from corpus.cleanup import PageWords, Word
from corpus.errors import BrokenFile, EncryptedPDF, TooLarge
from corpus.normalize import normalize_chars

WORD_OPTIONS = {
    "x_tolerance_ratio": 0.15,
    "y_tolerance": 3,
    "keep_blank_chars": False,
    "use_text_flow": False,
    "extra_attrs": ["size", "fontname"],
}


def read_pdf(
    path: str | Path,
    *,
    password: str = "",
    max_pages: int = 2000,
    max_seconds: float = 300,
) -> tuple[list[PageWords], dict]:
    """Words of every page (1-based numbers) and the document metadata.

    Raises ``EncryptedPDF``, ``BrokenFile`` or ``TooLarge`` with a readable reason.
    """
    started = time.monotonic()
    pdf = _open(path, password)
    try:
        n = len(pdf.pages)
        if n > max_pages:
            raise TooLarge(f"over the page limit: {n} pages > {max_pages}")
        pages = []
        for index in range(n):
            if time.monotonic() - started > max_seconds:
                raise TooLarge(
                    f"over the time limit: {max_seconds:g} s reached after {index} of {n} pages"
                )
            page = pdf.pages[index]
            try:
                pages.append(_read_page(page))
            finally:
                page.close()
        return pages, dict(pdf.metadata or {})
    finally:
        _release(pdf)


def _open(path: str | Path, password: str) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(path, password=password)
    except PdfminerException as exc:
        cause = exc.__cause__ or (exc.args[0] if exc.args else None)
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise EncryptedPDF("encrypted PDF: a password is required") from exc
        if isinstance(cause, PSEOF):
            raise BrokenFile("truncated PDF: the file ends too early") from exc
        detail = str(cause) if cause else str(exc)
        raise BrokenFile(f"broken PDF: {detail or type(cause).__name__}") from exc
    except (PSException, ValueError, KeyError, TypeError) as exc:
        raise BrokenFile(f"broken PDF: {exc or type(exc).__name__}") from exc


def _release(pdf: pdfplumber.PDF) -> None:
    """Close the file handle without ``pdf.close()``, which re-parses pages (0.11.10)."""
    stream = getattr(pdf, "stream", None)
    if stream is not None and not stream.closed:
        stream.close()


def _read_page(page) -> PageWords:
    number = page.page_number
    removed: list[tuple[str, str]] = []
    tables: list[list[list[str]]] = []
    if _duplicate_ratio(page.chars) > 0.01:
        page = page.dedupe_chars()
    boxes = []
    if page.rects or sum(1 for ln in page.lines if abs(ln["x0"] - ln["x1"]) < 1) >= 2:
        for table in page.find_tables():
            rows = [[normalize_chars(c or "").strip() for c in row] for row in table.extract()]
            if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                boxes.append(table.bbox)
                tables.append(rows)
    words = []
    raw = page.extract_words(**WORD_OPTIONS)
    # a page turned sideways has all its text non-upright: keep it then
    upright_page = sum(1 for w in raw if w.get("upright", True)) * 2 >= len(raw)
    for w in raw:
        text = normalize_chars(w["text"]).strip()
        if not text:
            continue
        if upright_page and not w.get("upright", True):
            removed.append((text, "rotated text"))
            continue
        word = Word(
            text=text,
            x0=float(w["x0"]),
            x1=float(w["x1"]),
            top=float(w["top"]),
            bottom=float(w["bottom"]),
            size=round(float(w["size"]), 2),
            bold=_is_bold(w["fontname"]),
        )
        if any(_inside(word, box) for box in boxes):
            continue
        words.append(word)
    for rows in tables:
        removed.append((" | ".join(" ".join(r) for r in rows), "table"))
    return PageWords(
        number, float(page.width), float(page.height), words, removed, tables, len(page.chars)
    )


def _is_bold(fontname: str) -> bool:
    name = fontname.split("+", 1)[-1].lower()
    return "bold" in name or "black" in name or "heavy" in name or name.endswith(",b")


def _inside(w: Word, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


def _duplicate_ratio(chars: list[dict]) -> float:
    if not chars:
        return 0.0
    seen = Counter((c["text"], round(c["x0"]), round(c["top"])) for c in chars)
    dupes = sum(v - 1 for v in seen.values() if v > 1)
    return dupes / len(chars)

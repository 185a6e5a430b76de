"""One entry point from a file on disk to an ``Extraction``: ``extract_file``.

The kind is sniffed from the bytes (``%PDF-``, HTML markers, binary junk), not trusted
from the name. Policy when the name lies:

- real PDF bytes under any name are extracted as a PDF (a note records the mismatch);
- HTML bytes named ``.pdf`` are rejected ("file named .pdf is HTML"): in practice that is
  an error or login page saved in place of the report, and its text is not the document;
- HTML bytes named ``.txt`` are read as HTML (the markup would otherwise leak in);
- binary bytes named ``.html``/``.txt`` are rejected ("binary data, not HTML").

Every failure raises a ``corpus.errors.ExtractionError`` subclass with a ``reason``.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from corpus import html as html_reader
from corpus import text as text_reader
from corpus.cleanup import CleanHeading, CleanupSettings, clean_document
from corpus.errors import (
    BrokenFile,
    EmptyDocument,
    ExtractionError,
    NoTextLayer,
    WrongFormat,
)
from corpus.types import Extraction, Heading, Note, Paragraph, Removal, Table

EXTENSIONS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "txt"}
SNIFF_BYTES = 8192


def sniff_kind(head: bytes) -> str:
    """'pdf', 'html', 'txt' or 'binary', from the first bytes of a file."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if html_reader.looks_like_html(head):
        return "html"
    if _is_binary(head):
        return "binary"
    return "txt"


def _is_binary(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control / len(head) > 0.05


def extract_file(
    path: str | Path,
    *,
    kind: str | None = None,
    content_type: str | None = None,
    max_pages: int = 2000,
    max_seconds: float = 300,
    settings: CleanupSettings | None = None,
) -> Extraction:
    """Body text of one file, with page provenance; raises ``ExtractionError``."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BrokenFile(f"cannot read file: {exc.strerror or exc}") from exc
    if size == 0:
        raise EmptyDocument("empty file (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    named = kind or _kind_from(path, content_type)
    real = sniff_kind(head)
    notes: list[str] = []

    if real == "binary":
        raise WrongFormat(f"binary data, not {_label(named)}")
    if real == "pdf":
        if named not in (None, "pdf"):
            notes.append(f"file named as {named} is a PDF; read as PDF")
        ex = _extract_pdf(path, max_pages=max_pages, max_seconds=max_seconds, settings=settings)
    elif named == "pdf":
        what = "HTML" if real == "html" else "text, not a PDF"
        raise WrongFormat(f"file named .pdf is {what}")
    elif real == "html":
        ex = _extract_html(path.read_bytes(), content_type)
    else:
        ex = _extract_txt(path.read_bytes())
    ex.removed[:0] = [Removal(0, n, "note") for n in notes]
    return ex


def _kind_from(path: Path, content_type: str | None) -> str | None:
    if content_type:
        ct = content_type.lower()
        if "pdf" in ct:
            return "pdf"
        if "html" in ct:
            return "html"
        if ct.startswith("text/plain"):
            return "txt"
    return EXTENSIONS.get(path.suffix.lower())


def _label(kind: str | None) -> str:
    return {"pdf": "a PDF", "html": "HTML", "txt": "text"}.get(kind or "", "a document")


# --------------------------------------------------------------------------- builders


def _assemble(
    kind: str, blocks: list[tuple[str, str, int, str | None, int]], **extra
) -> Extraction:
    """Build text and spans from ``(text, what, page, heading, level)`` blocks in reading
    order; ``what`` is 'p' (a paragraph) or 'head' (a heading, kept out of the text)."""
    parts: list[str] = []
    paragraphs: list[Paragraph] = []
    headings: list[Heading] = []
    pos = 0
    for text, what, page, heading, level in blocks:
        if what == "head":
            headings.append(Heading(text, page, level, pos + 2 if parts else 0))
            continue
        if parts:
            pos += 2
        paragraphs.append(Paragraph(pos, pos + len(text), page, heading))
        parts.append(text)
        pos += len(text)
    return Extraction(
        kind=kind, text="\n\n".join(parts), paragraphs=paragraphs, headings=headings, **extra
    )


def _extract_pdf(
    path: Path, *, max_pages: int, max_seconds: float, settings: CleanupSettings | None
) -> Extraction:
    from corpus.pdf import read_pdf  # pdfplumber is imported only when a PDF arrives

    pages, meta = read_pdf(path, max_pages=max_pages, max_seconds=max_seconds)
    if not pages:
        raise EmptyDocument("PDF has no pages")
    if not any(p.n_chars for p in pages):
        raise NoTextLayer("no text layer (scanned/image-only PDF?)")
    meta_title = meta.get("Title")
    if isinstance(meta_title, bytes):
        meta_title = meta_title.decode("latin-1", "ignore")
    result = clean_document(pages, settings, meta_title=meta_title or None)
    if not result.paragraphs and not any(p.tables for p in pages):
        raise EmptyDocument("no body text found (only headers, tables or small print)")
    blocks = [
        (b.text, "head", b.page, None, b.level)
        if isinstance(b, CleanHeading)
        else (b.text, "p", b.page, b.heading, 0)
        for b in result.order
    ]
    ex = _assemble(
        "pdf",
        blocks,
        n_pages=len(pages),
        title=result.title,
        removed=[Removal(pg, t, r) for pg, t, r in result.removed],
        notes=[Note(pg, m, t) for pg, m, t in result.notes],
        tables=[Table(p.number, rows) for p in pages for rows in p.tables],
    )
    return ex


def _extract_html(data: bytes, content_type: str | None) -> Extraction:
    page = html_reader.read_html(data, content_type)
    heading = page["title"]
    blocks: list[tuple[str, str, int, str | None, int]] = []
    if heading:
        blocks.append((heading, "head", 1, None, 1))
    for what, text in page["blocks"]:
        if what == "head":
            heading = text
        blocks.append((text, what, 1, heading, 2))
    if not any(b[1] == "p" for b in blocks):
        raise EmptyDocument("no main text found in the HTML page")
    return _assemble(
        "html", blocks, n_pages=1, title=page["title"], date=page["date"], encoding=page["encoding"]
    )


def _extract_txt(data: bytes) -> Extraction:
    doc = text_reader.read_text(data)
    blocks: list[tuple[str, str, int, str | None, int]] = []
    if doc["title"]:
        blocks.append((doc["title"], "head", 1, None, 1))
    blocks += [(t, "p", pg, doc["title"], 0) for pg, t in doc["paragraphs"]]
    if not doc["paragraphs"]:
        raise EmptyDocument("no text in the file (only whitespace)")
    return _assemble(
        "txt",
        blocks,
        n_pages=doc["n_pages"],
        title=doc["title"],
        date=doc["date"],
        encoding=doc["encoding"],
    )


# --------------------------------------------------------------------------- output


def body_text(extraction: Extraction) -> str:
    """Headings and paragraphs in reading order (no title-page furniture): the text the
    quality test compares with ``truth/``."""
    out: list[str] = []
    heads = sorted(extraction.headings, key=lambda h: h.start or 0)
    k = 0
    for para in extraction.paragraphs:
        while k < len(heads) and (heads[k].start or 0) <= para.start:
            out.append(heads[k].text)
            k += 1
        out.append(extraction.text[para.start : para.end])
    out.extend(h.text for h in heads[k:])
    return "\n\n".join(out)


def extraction_to_text(extraction: Extraction) -> str:
    """Title first, then headings and paragraphs, separated by blank lines."""
    body = body_text(extraction)
    title = extraction.title
    if title and not body.startswith(title):
        return f"{title}\n\n{body}"
    return body


def extraction_to_dict(extraction: Extraction) -> dict:
    """JSON-ready view: pages, paragraphs with spans and page, headings, removed text
    with reasons, notes and tables."""
    return {
        "kind": extraction.kind,
        "title": extraction.title,
        "date": extraction.date,
        "encoding": extraction.encoding,
        "pages": extraction.n_pages,
        "paragraphs": [
            {**asdict(p), "text": extraction.text[p.start : p.end]} for p in extraction.paragraphs
        ],
        "headings": [asdict(h) for h in extraction.headings],
        "removed": [asdict(r) for r in extraction.removed],
        "notes": [asdict(n) for n in extraction.notes],
        "tables": [asdict(t) for t in extraction.tables],
    }


__all__ = [
    "ExtractionError",
    "body_text",
    "extract_file",
    "extraction_to_dict",
    "extraction_to_text",
    "sniff_kind",
]

"""Body text of a web page: trafilatura (comments excluded), title and date from its
metadata, charset from the HTTP header, the meta tag or detection."""

from __future__ import annotations

import codecs
import re

import trafilatura
from charset_normalizer import from_bytes

from corpus.errors import EmptyDocument, Undecodable, WrongFormat
from corpus.normalize import normalize_chars, squeeze_spaces

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_HTML_MARKERS = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|meta|title|div|p)\b", re.I)

BLOCK_TAGS = {"p", "head", "item", "quote", "cell", "code"}

# containers trafilatura sometimes keeps a piece of ("Read more" heading, "Published:")
_BOILERPLATE = re.compile(
    r"read-?more|related|share|social|byline|date-?line|posted-?on|entry-meta|breadcrumb|"
    r"newsletter|cookie|comment|sidebar|promo|advert|subscribe|tags|author-box",
    re.IGNORECASE,
)


def _strip_boilerplate(html: str):
    """Parse and drop elements whose class or id names them as page furniture."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(html)
    except (ValueError, TypeError):
        return html
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "article", "main"):
            continue
        label = f"{el.get('class', '')} {el.get('id', '')}"
        if label.strip() and _BOILERPLATE.search(label):
            el.drop_tree()
    return tree


def looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(_HTML_MARKERS.search(head[:2048]))


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode with the first charset that works: HTTP header, BOM, meta tag, detection."""
    candidates: list[str] = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        candidates.append(m.group(1))
    if data.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8-sig")
    if m := _META_CHARSET.search(data[:4096]):
        candidates.append(m.group(1).decode("ascii", "ignore"))
    for name in candidates:
        try:
            enc = codecs.lookup(name).name
        except LookupError:
            continue
        if enc in ("latin-1", "iso8859-1", "ascii"):
            enc = "cp1252"  # browsers read latin-1 labels as windows-1252
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise Undecodable("undecodable text: no character encoding fits")
    return str(best), best.encoding


def read_html(data: bytes, content_type: str | None = None) -> dict:
    """Title, date, encoding and blocks ``[(tag, text)]`` of the main content."""
    if b"\x00" in data[:4096] or not looks_like_html(data):
        raise WrongFormat("binary data, not HTML")
    html, encoding = decode_html(data, content_type)
    doc = trafilatura.bare_extraction(
        _strip_boilerplate(html), include_comments=False, include_tables=False, with_metadata=True
    )
    if doc is None or doc.body is None:
        raise EmptyDocument("no main text found in the HTML page")
    blocks: list[tuple[str, str]] = []
    for el in doc.body.iter():
        if el.tag not in BLOCK_TAGS:
            continue
        if el.tag == "p" and el.getparent() is not None and el.getparent().tag in BLOCK_TAGS:
            continue
        text = squeeze_spaces(normalize_chars(" ".join("".join(el.itertext()).split())))
        if text:
            blocks.append(("head" if el.tag == "head" else "p", text))
    title = doc.title and squeeze_spaces(normalize_chars(doc.title))
    if blocks and title and blocks[0][1] == title:
        blocks = blocks[1:]
    return {"title": title or None, "date": doc.date, "encoding": encoding, "blocks": blocks}

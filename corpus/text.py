"""Plain text files: encoding detection, CRLF, form feeds as page breaks, paragraphs
split on blank lines. A short first block without a full stop is the title."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from corpus.errors import Undecodable
from corpus.normalize import normalize_chars, squeeze_spaces

_BLANK = re.compile(r"\n[ \t]*\n+")
_DATE = re.compile(r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|\d{1,2} \w+ \d{4}|\w+ \d{1,2}, \d{4})$")


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 when it decodes; otherwise the best charset-normalizer guess, with
    windows-1252 preferred over latin-1 (it is a superset for printable text)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise Undecodable("undecodable text: no character encoding fits")
    western = {"cp1252", "latin_1", "iso8859_1", "iso8859_15"}
    if best.encoding in western or any(m.encoding in western for m in matches):
        try:
            return data.decode("cp1252"), "cp1252"  # western text is the common case here
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding


def read_text(data: bytes) -> dict:
    """Title, date, encoding, page count and paragraphs ``[(page, text)]``."""
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    title = date = None
    first = pages[0].lstrip("\n")
    block, _, rest = first.partition("\n\n")
    lines = [x.strip() for x in block.split("\n") if x.strip()]
    has_more = bool(rest.strip()) or len(pages) > 1
    if (
        has_more
        and lines
        and len(lines) <= 3
        and len(lines[0]) < 250
        and not lines[0].endswith(".")
    ):
        title = squeeze_spaces(normalize_chars(lines[0]))
        extra = lines[1:]
        if extra and _DATE.match(extra[-1]):
            date = extra.pop()
        pages[0] = "\n".join(extra) + "\n\n" + rest
    paras: list[tuple[int, str]] = []
    for number, page in enumerate(pages, start=1):
        for chunk in _BLANK.split(page):
            para = squeeze_spaces(normalize_chars(" ".join(chunk.split())))
            if para:
                paras.append((number, para))
    return {
        "title": title,
        "date": date,
        "encoding": encoding,
        "paragraphs": paras,
        "n_pages": max(1, len(pages)),
    }

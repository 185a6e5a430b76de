"""Every bad input fails with a typed error and a readable reason, fast."""

from __future__ import annotations

import time

import pytest

from corpus.errors import (
    BrokenFile,
    EmptyDocument,
    EncryptedPDF,
    NoTextLayer,
    TooLarge,
    Undecodable,
    WrongFormat,
)
from corpus.extract import extract_file, sniff_kind

CASES = {
    "empty": (EmptyDocument, "empty file (0 bytes)"),
    "truncated": (BrokenFile, "PDF"),
    "html_as_pdf": (WrongFormat, "file named .pdf is HTML"),
    "binary_as_pdf": (WrongFormat, "binary data, not a PDF"),
    "binary_as_html": (WrongFormat, "binary data, not HTML"),
    "encrypted": (EncryptedPDF, "encrypted PDF: a password is required"),
    "scanned": (NoTextLayer, "no text layer (scanned/image-only PDF?)"),
    "undecodable": (WrongFormat, "binary data, not text"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_reason(bad_files, name):
    error, reason = CASES[name]
    started = time.monotonic()
    with pytest.raises(error) as info:
        extract_file(bad_files[name])
    assert reason in info.value.reason
    assert time.monotonic() - started < 2


def test_page_limit(bad_files):
    with pytest.raises(TooLarge) as info:
        extract_file(bad_files["many_pages"], max_pages=10)
    assert info.value.reason == "over the page limit: 12 pages > 10"


def test_time_limit(bad_files):
    with pytest.raises(TooLarge) as info:
        extract_file(bad_files["many_pages"], max_seconds=0)
    assert info.value.reason.startswith("over the time limit")


def test_good_pdf_still_reads(bad_files):
    ex = extract_file(bad_files["good"])
    assert ex.kind == "pdf" and ex.paragraphs


def test_pdf_named_html_is_read_as_pdf(bad_files, tmp_path):
    disguised = tmp_path / "report.html"
    disguised.write_bytes(bad_files["good"].read_bytes())
    ex = extract_file(disguised)
    assert ex.kind == "pdf"
    assert any("is a PDF" in r.text for r in ex.removed)


def test_sniffing():
    assert sniff_kind(b"%PDF-1.7\n") == "pdf"
    assert sniff_kind(b"  <!doctype html><html>") == "html"
    assert sniff_kind(b"\x00\x01\x02junk") == "binary"
    assert sniff_kind(b"Plain words.\n") == "txt"


def test_undecodable_text_without_nul(tmp_path):
    # bytes that are not binary-looking yet fit no encoding well still come out or fail typed
    path = tmp_path / "odd.txt"
    path.write_bytes("Caf\u00e9 cr\u00e8me".encode("cp1252") * 3)
    try:
        ex = extract_file(path)
    except Undecodable as exc:
        assert exc.reason
    else:
        assert "Café crème" in ex.text

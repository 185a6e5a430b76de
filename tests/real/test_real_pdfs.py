"""Extraction on public PDFs from pdfplumber's own test suite (../shared/real-pdfs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.errors import EncryptedPDF
from corpus.extract import extract_file

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-pdfs is absent")


def test_encrypted_needs_password():
    with pytest.raises(EncryptedPDF) as info:
        extract_file(REAL / "password-example.pdf")
    assert info.value.reason == "encrypted PDF: a password is required"


def test_line_numbers_dropped():
    ex = extract_file(REAL / "scotus-transcript-p1.pdf")
    assert "IN THE SUPREME COURT OF THE UNITED STATES" in ex.text
    assert " 3 4 5 6 7" not in ex.text
    assert any(r.reason == "line numbers" for r in ex.removed)


def test_duplicate_chars_deduped():
    ex = extract_file(REAL / "issue-71-duplicate-chars-2.pdf", max_pages=30)
    assert "DÉSORDRES" in ex.text or any("DÉSORDRES" in h.text for h in ex.headings)
    assert "DDÉÉ" not in ex.text


def test_latex_and_word_output():
    latex = extract_file(REAL / "issue-33-lorem-ipsum.pdf")
    assert latex.n_pages == 2 and len(latex.text) > 500
    word = extract_file(REAL / "word365_structure.pdf")
    assert "Lorem ipsum dolor sit amet" in word.text


def test_french_record_keeps_accents():
    ex = extract_file(REAL / "2023-06-20-PV.pdf")
    assert "Séance" in ex.text or any("Séance" in h.text for h in ex.headings)


def test_tabular_and_rotated_pages_do_not_fail():
    bulletin = extract_file(REAL / "la-precinct-bulletin-2014-p1.pdf")
    assert bulletin.tables
    rotated = extract_file(REAL / "nics-background-checks-2015-11-rotated.pdf")
    assert rotated.tables


def test_malformed_does_not_crash():
    try:
        ex = extract_file(REAL / "malformed-from-issue-932.pdf")
    except Exception as exc:  # noqa: BLE001 - must be a typed extraction error
        from corpus.errors import ExtractionError

        assert isinstance(exc, ExtractionError)
    else:
        assert ex.n_pages == 1

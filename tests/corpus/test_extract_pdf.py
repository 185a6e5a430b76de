"""PDF layout rules on generated PDFs, one case per rule."""

from __future__ import annotations

import re

import pytest

from corpus.extract import body_text, extract_file, extraction_to_dict, extraction_to_text


@pytest.fixture(scope="module")
def layout(layout_pdf):
    path, expect = layout_pdf
    return extract_file(path), expect


def test_spans_are_exact_paragraphs(layout):
    ex, _ = layout
    assert ex.n_pages == 3
    for p in ex.paragraphs:
        chunk = ex.text[p.start : p.end]
        assert chunk == chunk.strip() and chunk
        assert "\n" not in chunk
    assert ex.text == "\n\n".join(ex.paragraph_texts())


def test_running_heads_page_numbers_and_footnotes_removed(layout):
    ex, _ = layout
    assert "credscope test report" not in ex.text
    assert not re.search(r"Page \d of \d", ex.text)
    assert "summarised, not quoted" not in ex.text
    reasons = {r.reason for r in ex.removed}
    assert {"running head", "page number"} <= reasons or "running footer" in reasons
    assert [n.text for n in ex.notes][:1] == ["Consultation responses are summarised, not quoted."]
    assert ex.notes[0].marker == "1"


def test_footnote_marker_detached(layout):
    ex, _ = layout
    assert "work.1" not in ex.text
    assert "routes into work." in ex.text


def test_hyphenation_joined_and_compounds_kept(layout):
    ex, _ = layout
    assert "qualifications because" in ex.text
    assert "qualifi-" not in ex.text
    assert "short-term routes" in ex.text


def test_headings_are_not_paragraphs(layout):
    ex, expect = layout
    heads = [h.text for h in ex.headings]
    assert heads == expect["headings"]
    assert not set(expect["headings"]) & set(ex.paragraph_texts())
    first_body = ex.paragraphs[0]
    assert first_body.heading == expect["headings"][0]


def test_table_and_caption_out_of_prose(layout):
    ex, _ = layout
    assert "Table 1." not in ex.text
    assert "Country" not in ex.text
    assert ex.tables and ex.tables[0].rows[0] == ["Country", "2022", "2023"]
    assert any(r.reason == "caption" for r in ex.removed)


def test_paragraph_runs_across_page_break(layout):
    ex, expect = layout
    texts = ex.paragraph_texts()
    assert expect["runon"] in texts
    p = ex.paragraphs[texts.index(expect["runon"])]
    assert p.page == 2


def test_two_columns_read_column_by_column(two_column_pdf):
    path, expected = two_column_pdf
    ex = extract_file(path)
    assert ex.paragraph_texts() == expected
    assert [h.text for h in ex.headings] == ["Two columns of text"]


def test_title_page_and_contents_kept_out(contents_pdf):
    ex = extract_file(contents_pdf)
    assert ex.title == "A report on micro-credentials"
    assert "Findings" not in ex.text and "....." not in ex.text
    assert "Prepared by" not in body_text(ex)
    assert [h.text for h in ex.headings] == ["Introduction"]
    assert {r.reason for r in ex.removed} >= {"table of contents", "title page"}


def test_output_helpers(layout):
    ex, _ = layout
    d = extraction_to_dict(ex)
    assert d["pages"] == 3 and d["paragraphs"][0]["page"] == 1
    assert {"start", "end", "page", "heading", "text"} <= set(d["paragraphs"][0])
    assert d["removed"] and d["notes"] and d["tables"]
    txt = extraction_to_text(ex)
    assert txt.split("\n\n")[0] == ex.title

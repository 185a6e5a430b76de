"""tag_texts, split_sentences and the saved pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nlp import codes, split_sentences, tag_document, tag_texts
from nlp.pipeline import build_nlp, load_nlp
from nlp.types import Tag


def test_tag_texts_returns_plain_tags(nlp_pipeline) -> None:
    texts = ["Finnish nurses and Dutch welders.", "", "Nothing here."]
    result = tag_texts(texts, nlp=nlp_pipeline)
    assert len(result) == 3
    assert result[1] == [] and result[2] == []
    tags = result[0]
    assert all(isinstance(t, Tag) for t in tags)
    assert [(t.kind, t.code, t.text) for t in tags] == [
        ("country", "FI", "Finnish"),
        ("sector", "Q", "nurses"),
        ("country", "NL", "Dutch"),
        ("sector", "C", "welders"),
    ]
    assert all(texts[0][t.start : t.end] == t.text for t in tags)


def test_split_sentences_spans() -> None:
    text = "Portugal issued badges. Nurses took them!  Was it a success? Yes."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Portugal issued badges.",
        "Nurses took them!",
        "Was it a success?",
        "Yes.",
    ]
    assert split_sentences("   ") == []


def test_saved_pipeline_round_trip(tmp_path: Path) -> None:
    nlp = build_nlp()
    nlp.to_disk(tmp_path / "pipe")
    loaded = load_nlp(str(tmp_path / "pipe"))
    assert loaded.pipe_names == ["credscope_countries", "credscope_sectors"]
    text = "Welding in Slovenia"
    assert tag_texts([text], nlp=loaded) == tag_texts([text], nlp=nlp)


def test_packaged_pipeline_loads_in_fresh_process() -> None:
    code = (
        "import nlp, sys; print(nlp.tag_texts(['Czechia'])[0][0].code);"
        "print('spacy_lookups_data' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["CZ", "False"]


def test_importing_nlp_is_light() -> None:
    code = "import nlp, sys; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tag_document_propagates_dominant_country(nlp_pipeline) -> None:
    texts = [
        "Malta launched a tourism scheme.",
        "Maltese providers run it with the MTA.",
        "The scheme, the first of its kind on the island, trains 1,400 managers.",
        "Participants earn a diploma.",
    ]
    tagged = tag_document(texts, nlp=nlp_pipeline)
    assert [codes(tags, "country") for tags in tagged] == [["MT"], ["MT"], ["MT"], []]
    evidence = [t for t in tagged[2] if t.rule == "document-context"]
    assert [(t.code, t.text) for t in evidence] == [("MT", "the island")]
    assert texts[2][evidence[0].start : evidence[0].end] == "the island"
    # the per-passage tags are unchanged
    assert tagged[:2] == tag_texts(texts[:2], nlp=nlp_pipeline)


def test_tag_document_needs_a_dominant_country(nlp_pipeline) -> None:
    texts = ["Portugal and Spain.", "Spain and Portugal.", "The Ministry approved it."]
    assert codes(tag_document(texts, nlp=nlp_pipeline)[2], "country") == []
    assert tag_document([], nlp=nlp_pipeline) == []


def test_tag_document_uses_the_section_heading(nlp_pipeline) -> None:
    # a dossier: each article has its own title, and the section's country beats the dominant one
    texts = [
        "Czechia keeps a register of partial qualifications.",
        "Standards are approved by the Ministry of Education.",
        "Czech providers assess candidates.",
        "Amendments to the CROQF Act changed the register.",
        "The AI Act and the EU Act are European law.",
    ]
    headings = ["Czech register", "Czech register", "Czech register", "Croatia: register", None]
    tagged = tag_document(texts, nlp=nlp_pipeline, headings=headings)
    assert [codes(tags, "country") for tags in tagged] == [["CZ"], ["CZ"], ["CZ"], ["HR"], []]
    evidence = [(t.code, t.text, t.rule) for tags in tagged for t in tags if "context" in t.rule]
    assert evidence == [
        ("CZ", "the Ministry", "section-context"),
        ("HR", "CROQF Act", "section-context"),
    ]


def test_tag_document_headings_must_match_passages(nlp_pipeline) -> None:
    with pytest.raises(ValueError, match="2 headings for 1 passages"):
        tag_document(["Text."], nlp=nlp_pipeline, headings=["A", "B"])


def test_tag_document_sector_from_the_section_heading(nlp_pipeline) -> None:
    texts = [
        "The project trains workers already in the industry.",
        "This sector needs new skills.",
        "Learners choose modules in the industry.",
    ]
    headings = [
        "Skills for microelectronics",
        "Skills for microelectronics",
        "Health and IT skills",
    ]
    tagged = tag_document(texts, nlp=nlp_pipeline, headings=headings)
    assert [codes(tags, "sector") for tags in tagged] == [["C"], ["C"], []]
    assert [(t.text, t.rule) for t in tagged[0] if t.kind == "sector"] == [
        ("the industry", "section-context")
    ]


def test_tag_document_bad_input_labels_nothing_and_goes_on(nlp_pipeline) -> None:
    junk = bytes(range(256)).decode("latin-1") * 20
    texts = [
        "",
        "Nurses in Portugal. " * 5000,  # 100k characters
        "Die Pflegekräfte in Österreich erhalten Mikrozertifikate.",
        junk,
        "\x00\x01 the Ministry",
        "Welders in Finland.",
    ]
    headings = [None, "", junk, "Österreich", "Malta\x00", "Finland"]
    tagged = tag_document(texts, nlp=nlp_pipeline, headings=headings)
    assert [codes(tags, "country") for tags in tagged] == [[], ["PT"], ["AT"], [], ["MT"], ["FI"]]
    assert codes(tagged[1], "sector") == ["Q"] and codes(tagged[5], "sector") == ["C"]
    for text, tags in zip(texts, tagged, strict=True):
        assert all(text[t.start : t.end] == t.text for t in tags)

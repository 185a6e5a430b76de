from __future__ import annotations

import pytest

from models.codebook import load_codebook, parse_codebook, theme_ids


def test_shipped_codebook_has_the_four_themes_and_a_version() -> None:
    cb = load_codebook()
    assert cb.version
    assert theme_ids() == ("trust", "naming", "modularisation", "recognition")
    for theme in cb.themes:
        assert theme.definition and theme.includes and theme.excludes
        assert len(theme.terms) >= 20
        assert all(t == t.lower() for t in theme.terms)


def test_codebook_is_loaded_once() -> None:
    assert load_codebook() is load_codebook()


def test_guideline_exclusions_are_in_the_codebook() -> None:
    cb = load_codebook()
    assert "nhs foundation trust" in cb.theme("trust").sense_exclude
    assert "drupal module" in cb.theme("modularisation").sense_exclude
    assert "in recognition of" in cb.theme("recognition").sense_exclude


def test_parse_rejects_a_codebook_without_version() -> None:
    with pytest.raises(ValueError):
        parse_codebook('[themes.x]\ndefinition = "d"\n')


def test_parse_minimal_codebook() -> None:
    cb = parse_codebook(
        'version = "t1"\n[themes.x]\ndefinition = "a  b"\nterms = ["Foo", "foo", "bar"]\n'
    )
    assert cb.theme_ids == ("x",)
    assert cb.theme("x").terms == ("foo", "bar")
    assert cb.theme("x").definition == "a b"

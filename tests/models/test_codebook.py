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


def test_guideline_rules_name_known_cue_sets_and_themes() -> None:
    cb = load_codebook()
    ids = {r.id for r in cb.rules}
    assert {"trust_applied_to_credential", "naming_definition_of_credential"} <= ids
    for rule in cb.rules:
        assert set(rule.themes) <= set(cb.theme_ids)
        assert all(c in cb.cues for c in (*rule.all, *rule.none))


@pytest.mark.parametrize(
    "rule",
    [
        'themes = ["x"]\nall = ["nope"]',  # unknown cue set
        'themes = ["y"]\nall = ["c"]',  # unknown theme
        'themes = ["x"]\nall = []',  # nothing required
        'themes = ["x"]\nall = ["c"]\nnames = "sometimes"',
    ],
)
def test_parse_rejects_bad_rules(rule: str) -> None:
    text = f'version = "t"\n[themes.x]\ndefinition = "d"\n[cues]\nc = ["a"]\n[rules.r]\n{rule}\n'
    with pytest.raises(ValueError):
        parse_codebook(text)

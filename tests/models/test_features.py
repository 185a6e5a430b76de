from __future__ import annotations

import numpy as np

from models.features import CodebookFeatures, CompactTfidf, build_features, tokenize


def _matches(text: str) -> dict[str, list[str]]:
    return CodebookFeatures().fit([text]).explain_matches(text)


def test_tokenize_keeps_hyphenated_words() -> None:
    assert tokenize("Micro-credentials, stackable!") == ["micro-credentials", "stackable"]


def test_trust_as_organisation_is_not_trust() -> None:
    m = _matches("She works at North Bristol NHS Foundation Trust.")
    assert "trust" not in m["trust"]
    assert "trust" in _matches("Employers trust these credentials.")["trust"]


def test_software_module_is_not_modularisation() -> None:
    assert "module" not in _matches("This Drupal module manages badges.")["modularisation"]
    assert "module" in _matches("Each module counts towards the diploma.")["modularisation"]


def test_recognition_as_award_is_not_recognition() -> None:
    m = _matches("She received a prize in recognition of her work.")
    assert "recognition" not in m["recognition"]
    assert "recognition" in _matches("Recognition of prior learning is expanding.")["recognition"]


def test_suppressed_and_negated_matches_are_features() -> None:
    text = "The school is not trusted. Staff of the NHS Foundation Trust attended."
    cf = CodebookFeatures().fit([text])
    row = dict(zip(cf.get_feature_names_out(), cf.transform([text]).toarray()[0], strict=True))
    assert row["cb_trust:negated"] > 0
    assert row["cb_trust:suppressed"] > 0


def test_compact_tfidf_matches_sklearn_after_reload_state() -> None:
    texts = ["micro credentials are stackable", "recognition of prior learning", "trust"]
    a = CompactTfidf(min_df=1).fit(texts)
    b = CompactTfidf(min_df=1)
    b.__dict__.update(a.__getstate__())
    assert np.allclose(a.transform(texts).toarray(), b.transform(texts).toarray())


def test_feature_union_shapes() -> None:
    texts = ["micro credentials are stackable units", "recognition of prior learning"] * 3
    fu = build_features({"min_df": 1}).fit(texts)
    X = fu.transform(texts)
    assert X.shape[0] == 6
    assert X.shape[1] == len(fu.get_feature_names_out())


def _gold_texts() -> list[str]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data" / "annotations" / "passages.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_fast_word_tfidf_equals_sklearn_vectorizer() -> None:
    texts = _gold_texts()[:300] + ["", "!!!", "a b-c d_e  Ünïcödé wörds x-", "don't-stop 3-4"]
    for ngram in ((1, 1), (1, 2), (1, 3), (2, 2)):
        tf = CompactTfidf(ngram_range=ngram, min_df=1).fit(texts)
        fast = tf.transform(texts)
        slow = tf._fitted().transform(texts)
        assert fast.shape == slow.shape and fast.dtype == slow.dtype
        assert abs(fast - slow).max() < 1e-6


def test_literal_prefilters_are_exact_for_codebook_patterns() -> None:
    import re

    from models.codebook import load_codebook
    from models.features import literal_prefixes

    texts = [t.lower() for t in _gold_texts()]
    for theme in load_codebook().themes:
        for pattern in theme.patterns:
            lits = literal_prefixes(pattern)
            compiled = re.compile(pattern)
            for text in texts:
                if compiled.search(text):
                    assert lits is None or any(lit in text for lit in lits), pattern


def test_literal_prefixes_of_simple_patterns() -> None:
    from models.features import literal_prefixes

    assert literal_prefixes(r"\b(?:stack|stacks)\b") == ("stack",)
    assert literal_prefixes(r"\b(?:is|are) (?:defined|described) as") == (" defined", " described")
    assert literal_prefixes(r"\d+") is None
    assert literal_prefixes(r"(?:x)?y") == ("y",)


def test_matcher_scan_agrees_with_match() -> None:
    cf = CodebookFeatures().fit(["x"])
    matcher = cf._matcher()
    for text in _gold_texts()[:200]:
        toks = tokenize(text)
        assert [
            (m.entry, m.start, m.end, m.themes, m.listed, m.negated) for m in matcher.match(toks)
        ] == [(e, s, t, k, li, n) for e, s, t, k, li, n in matcher.scan(toks)]


def _rules(text: str) -> dict[str, float]:
    from models.features import GuidelineRuleFeatures

    rf = GuidelineRuleFeatures().fit([text])
    row = rf.transform([text]).toarray()[0]
    return {
        n.removeprefix("rule:"): v for n, v in zip(rf.get_feature_names_out(), row, strict=True)
    }


def test_trust_rule_needs_the_notion_applied_to_a_credential_in_one_sentence() -> None:
    same = _rules("Employers do not yet trust micro-credentials from unknown providers.")
    assert same["trust_applied_to_credential"] > 0
    apart = _rules("We trust the process. Micro-credentials were discussed on Monday.")
    assert apart["trust_applied_to_credential"] == 0
    assert apart["trust_notion_bare"] > 0


def test_trust_words_inside_names_are_not_trust_notions() -> None:
    r = _rules("She spoke for the European Association for Quality Assurance about badges.")
    assert r["trust_applied_to_credential"] == 0
    assert r["trust_cue_in_name"] > 0
    assert _rules("Staff at North Bristol NHS Trust attended.")["trust_organisation_or_prize"] > 0


def test_accreditation_of_providers_is_trust_of_competences_recognition() -> None:
    assert _rules("Only accredited providers may issue the badge.")["trust_provider_approval"] > 0
    r = _rules("Competences acquired through work experience are formally accredited.")
    assert r["recognition_of_learner_knowledge"] > 0
    assert r["trust_provider_approval"] == 0
    assert r["recognition_without_trust_notion"] > 0


def test_definition_rules_tell_a_credential_from_another_unit() -> None:
    badge = _rules("Digital badges are explained as electronic tokens of skills.")
    assert badge["naming_definition_of_credential"] > 0
    other = _rules("How far do they match the convention's definition of a qualification?")
    assert other["naming_definition_of_other_unit"] > 0
    assert other["naming_definition_of_credential"] == 0


def test_rule_features_are_sparse_and_empty_for_unrelated_text() -> None:
    from models.features import GuidelineRuleFeatures

    rf = GuidelineRuleFeatures().fit(["x"])
    X = rf.transform(["The weather was fine.", ""])
    assert X.shape == (2, len(rf.get_feature_names_out())) and X.nnz == 0

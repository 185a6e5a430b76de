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

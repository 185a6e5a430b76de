from __future__ import annotations

from models.predict import load_model, predict

GOOD = (
    "Micro-credentials can be stacked towards a full qualification, and learners get "
    "recognition of prior learning through the national qualifications framework."
)


def test_bad_input_does_not_break_the_batch() -> None:
    model = load_model()
    texts = [
        "",
        "   ",
        "x " * 50_000,
        "Die Anerkennung von Mikrozertifikaten in der beruflichen Bildung ist ein wichtiges "
        "Thema für die Länder und die Arbeitgeber in Deutschland.",
        "\x00\x01\x02\x03 binary \xff\xfe" * 30,
        "%$#@!*&^ 12345 ++++ ---- ////",
        None,
        GOOD,
    ]
    out = predict(model, texts)  # type: ignore[arg-type]
    assert len(out) == len(texts)
    for p in out[:-1]:
        assert p.themes == [] and p.error
    assert out[-1].error is None
    assert {"modularisation", "recognition"} <= set(out[-1].themes)


def test_scores_cover_every_theme() -> None:
    model = load_model()
    (p,) = predict(model, [GOOD])
    assert set(p.scores) == set(model.themes)
    assert all(0.0 <= v <= 1.0 for v in p.scores.values())


def test_explanations_name_terms_that_pushed_themes_up() -> None:
    model = load_model()
    (p,) = predict(model, [GOOD], explain=True)
    assert set(p.explanations) == set(p.themes)
    assert any("stack" in t or "full qualification" in t for t in p.explanations["modularisation"])
    assert any("recogni" in t or "prior learning" in t for t in p.explanations["recognition"])
    (q,) = predict(model, [GOOD])
    assert q.explanations == {}


def test_model_is_cached_per_process() -> None:
    assert load_model() is load_model()

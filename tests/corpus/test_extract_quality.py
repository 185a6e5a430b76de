"""Word precision and recall >= 0.99 against truth/ for every PDF and HTML file of the
demo corpus (and the TXT files too)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from corpus.extract import body_text, extract_file

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
TOKEN = re.compile(r"\w+(?:[-'\u2019]\w+)*")


def bag(text: str) -> Counter[str]:
    return Counter(w.lower() for w in TOKEN.findall(text))


def precision_recall(got: str, truth: str) -> tuple[float, float]:
    g, t = bag(got), bag(truth)
    hit = sum((g & t).values())
    return hit / max(1, sum(g.values())), hit / max(1, sum(t.values()))


@pytest.mark.parametrize("doc", MANIFEST, ids=[d["id"] for d in MANIFEST])
def test_word_precision_recall(doc):
    ex = extract_file(CORPUS / doc["file"])
    truth = (CORPUS / "truth" / f"{doc['id']}.truth.txt").read_text(encoding="utf-8")
    p, r = precision_recall(body_text(ex), truth)
    assert p >= 0.99 and r >= 0.99, (doc["id"], round(p, 4), round(r, 4))


@pytest.mark.parametrize("name", ["dossier-1", "dossier-6"])
def test_dossier_furniture_absent(name):
    ex = extract_file(CORPUS / f"{name}.pdf")
    text = ex.text
    assert "credscope test dossier" not in text  # running head
    assert not re.search(r"Page \d+ of \d+", text)
    assert "Source:" not in text
    assert not any(n.text in text for n in ex.notes)
    assert "Contents" not in [h.text for h in ex.headings]
    assert ex.title == next(d["title"] for d in MANIFEST if d["id"] == name)

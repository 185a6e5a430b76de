"""Review decisions in the store: record, override, undo, re-extraction, queue, agreement."""

from __future__ import annotations

import pytest

from corpus.ids import content_hash, passage_id
from corpus.types import Passage, SourceFile
from store.connect import connect
from store.query import FindingsQuery, query
from store.review import (
    Decision,
    QueueFilter,
    agreement,
    assign_share,
    cohen_kappa,
    decided_contents,
    decisions_from_choice,
    effective_decisions,
    history,
    near_duplicates,
    next_in_queue,
    passage_context,
    record_decisions,
    reviewed_gold,
    undo_last,
)
from store.types import LabelRecord, ProcessedDocument
from store.write import write_document

THR = {"trust": 0.5, "naming": 0.5}


def _doc(
    texts: list[str], scores: list[dict[str, float]], sha: str = "h1", doc: str = "doc-a"
) -> ProcessedDocument:
    ps, lab, pos = [], [], 0
    for i, t in enumerate(texts):
        h = content_hash(t)
        pid = passage_id(doc, h)
        ps.append(Passage(pid, doc, h, i, 1, pos, pos + len(t), t))
        pos += len(t) + 2
        for theme, s in scores[i].items():
            lab.append(LabelRecord(pid, "theme", theme, "model", s, s >= 0.5, "m1", ["badge"]))
        if "Sweden" in t:
            start = t.index("Sweden")
            lab.append(
                LabelRecord(
                    pid,
                    "country",
                    "SE",
                    "rule",
                    model_version="tagger-1",
                    evidence=[[start, start + 6, "Sweden"]],
                )
            )
    src = SourceFile(
        path=f"/c/{doc}.txt",
        uri=f"file:///c/{doc}.txt",
        kind="txt",
        sha256=sha,
        size=10,
        title="A report",
    )
    return ProcessedDocument(
        source=src, document_id=doc, pipeline_version="p1", passages=ps, labels=lab, n_pages=1
    )


TEXTS = [
    "Sweden trusts badges issued by universities.",
    "Names of microcredentials vary a lot.",
    "Stackable modules build towards a degree.",
]
SCORES = [
    {"trust": 0.9, "naming": 0.1},
    {"trust": 0.45, "naming": 0.58},
    {"trust": 0.2, "naming": 0.3},
]


@pytest.fixture()
def engine(sqlite_url: str):  # noqa: ANN201
    eng = connect(sqlite_url)
    write_document(eng, _doc(TEXTS, SCORES))
    return eng


def _pid(text: str, doc: str = "doc-a") -> str:
    return passage_id(doc, content_hash(text))


def test_decisions_override_machine_labels_in_queries(engine) -> None:  # noqa: ANN001
    pid = _pid(TEXTS[0])
    ctx = passage_context(engine, pid)
    assert ctx is not None and ctx.chosen("theme") == {"trust"} and ctx.chosen("country") == {"SE"}
    decisions = decisions_from_choice(
        ctx, themes=["naming"], countries=["FI"], sectors=[], all_themes=["trust", "naming"]
    )
    by = {(d.kind, d.value): d.decision for d in decisions}
    assert by == {
        ("theme", "trust"): "reject",
        ("theme", "naming"): "accept",
        ("country", "FI"): "accept",
        ("country", "SE"): "reject",
    }
    trust = next(d for d in decisions if d.value == "trust")
    assert trust.model_version == "m1" and trust.score == 0.9
    assert record_decisions(engine, pid, decisions, "alice") == 4
    [f] = [f for f in query(engine, FindingsQuery()) if f.passage_id == pid]
    assert f.themes == ["naming"] and f.countries == ["FI"] and f.reviewed
    assert query(engine, FindingsQuery(themes=["trust"], countries=["SE"])) == []


def test_undo_takes_back_the_last_save_only(engine) -> None:  # noqa: ANN001
    a, b = _pid(TEXTS[0]), _pid(TEXTS[1])
    record_decisions(engine, a, [Decision("theme", "trust", "accept")], "alice")
    record_decisions(
        engine,
        b,
        [Decision("theme", "trust", "reject"), Decision("theme", "naming", "accept")],
        "alice",
    )
    assert [h.passage_id for h in history(engine, "alice")] == [b, a]
    assert undo_last(engine, "bob") is None
    assert undo_last(engine, "alice") == b
    eff = effective_decisions(engine)
    assert content_hash(TEXTS[1]) not in eff and content_hash(TEXTS[0]) in eff
    assert undo_last(engine, "alice") == a
    assert undo_last(engine, "alice") is None
    assert effective_decisions(engine) == {}


def test_decisions_survive_reextraction_and_relabelling(engine) -> None:  # noqa: ANN001
    pid = _pid(TEXTS[1])
    record_decisions(engine, pid, [Decision("theme", "naming", "reject")], "alice")
    # the document is rewritten (another file version, other order, new scores)
    write_document(
        engine,
        _doc(
            [TEXTS[2], TEXTS[1], TEXTS[0]],
            [SCORES[2], {"trust": 0.1, "naming": 0.99}, SCORES[0]],
            sha="h2",
        ),
    )
    [f] = [f for f in query(engine, FindingsQuery()) if f.text == TEXTS[1]]
    assert "naming" not in f.themes and f.reviewed
    # the same text in another document is decided too (keyed by content)
    write_document(engine, _doc([TEXTS[1]], [{"naming": 0.9}], doc="doc-b"))
    other = [f for f in query(engine, FindingsQuery(documents=["doc-b"]))]
    assert other and "naming" not in other[0].themes


def test_queue_orders_by_uncertainty_and_skips_decided(engine) -> None:  # noqa: ANN001
    first = next_in_queue(engine, "alice", THR)
    assert first is not None and first.passage_id == _pid(TEXTS[1])  # 0.45 and 0.58: nearest
    assert first.margin == pytest.approx(0.05)
    record_decisions(engine, first.passage_id, [Decision("theme", "trust", "reject")], "alice")
    second = next_in_queue(engine, "alice", THR)
    assert second is not None and second.passage_id == _pid(TEXTS[2])
    only_se = next_in_queue(engine, "alice", THR, QueueFilter(country="se"))
    assert only_se is not None and only_se.passage_id == _pid(TEXTS[0])
    assert content_hash(TEXTS[1]) in decided_contents(engine)


def test_shared_assignment_goes_to_both_reviewers_first(engine) -> None:  # noqa: ANN001
    assert assign_share(engine, ["alice", "bob"], 1, THR) == 1
    a = next_in_queue(engine, "alice", THR)
    b = next_in_queue(engine, "bob", THR)
    assert a == b and a is not None
    carol = next_in_queue(engine, "carol", THR)
    assert carol is not None and carol.content_hash != a.content_hash
    record_decisions(engine, a.passage_id, [Decision("theme", "trust", "accept")], "alice")
    again = next_in_queue(engine, "bob", THR)  # decided by alice, still bob's to decide
    assert again is not None and again.content_hash == a.content_hash


def test_near_duplicates_ignore_numbering_and_punctuation(sqlite_url: str) -> None:
    eng = connect(sqlite_url)
    texts = ["1. Employers trust badges.", "2) Employers trust badges!", "Something else."]
    write_document(eng, _doc(texts, [{"trust": 0.5}] * 3))
    near = near_duplicates(eng, content_hash(texts[0]))
    assert near == [content_hash(texts[1])]
    record_decisions(
        eng, _pid(texts[0]), [Decision("theme", "trust", "accept")], "alice", also_hashes=near
    )
    assert set(effective_decisions(eng)) == {content_hash(texts[0]), content_hash(texts[1])}


def test_cohen_kappa_by_hand() -> None:
    # 10 items: both yes 4, both no 3, a yes/b no 2, a no/b yes 1
    pairs = [(True, True)] * 4 + [(False, False)] * 3 + [(True, False)] * 2 + [(False, True)]
    po, kappa = cohen_kappa(pairs)
    # po = 0.7; pa = 0.6, pb = 0.5; pe = 0.3 + 0.2 = 0.5; kappa = 0.2 / 0.5 = 0.4
    assert po == pytest.approx(0.7) and kappa == pytest.approx(0.4)
    assert cohen_kappa([(True, True)] * 3) == (1.0, None)  # undefined without variation
    assert cohen_kappa([]) == (None, None)


def test_agreement_between_reviewers_and_with_the_model(engine) -> None:  # noqa: ANN001
    p = [_pid(t) for t in TEXTS]
    # model: trust on p0 only; alice: trust on p0, p1; bob: trust on p0 only
    for pid, a, b in zip(
        p, ["accept", "accept", "reject"], ["accept", "reject", "reject"], strict=True
    ):
        record_decisions(engine, pid, [Decision("theme", "trust", a)], "alice")
        record_decisions(engine, pid, [Decision("theme", "trust", b)], "bob")
    rows = {(r.theme, r.a, r.b): r for r in agreement(engine, ["trust"])}
    ab = rows[("trust", "alice", "bob")]
    assert ab.n == 3 and ab.percent == pytest.approx(2 / 3)
    # pa = 2/3, pb = 1/3 -> pe = 2/9 + 2/9 = 4/9; kappa = (2/3 - 4/9) / (5/9) = 0.4
    assert ab.kappa == pytest.approx(0.4)
    bm = rows[("trust", "bob", "model")]
    assert bm.n == 3 and bm.percent == 1.0 and bm.kappa == pytest.approx(1.0)


def test_reviewed_gold_has_the_reviewers_labels(engine) -> None:  # noqa: ANN001
    pid = _pid(TEXTS[0])
    ctx = passage_context(engine, pid)
    assert ctx is not None
    record_decisions(
        engine,
        pid,
        decisions_from_choice(
            ctx,
            themes=["trust"],
            countries=["SE", "NO"],
            sectors=["P"],
            all_themes=["trust", "naming"],
        ),
        "alice",
    )
    [gold] = reviewed_gold(engine)
    assert gold["themes"] == ["trust"] and gold["countries"] == ["NO", "SE"]
    assert gold["sectors"] == ["P"] and gold["text"] == TEXTS[0]

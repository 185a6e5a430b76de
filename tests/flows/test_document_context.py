"""Countries from section context reach the store, on a first refresh and on a re-label."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from flows.pipeline import relabel_store, run_plain

DOSSIER = """<html><head><title>Dossier</title></head><body><main><article>
<h1>Micro-credentials dossier</h1>
<h2>Croatia: a register of standards</h2>
<p>Croatia keeps a register of occupational standards that providers must follow when they
design short courses for adults.</p>
<p>The Ministry approved twelve new standards for short courses last spring, after a
consultation with employers and unions.</p>
<h2>Finland: continuous learning</h2>
<p>Finland funds short courses for adults through its continuous learning service, run with
universities.</p>
</article></main></body></html>"""


def _countries(db: Path) -> dict[str, list[str]]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select p.text, l.value from passages p left join labels l"
                " on l.passage_id = p.passage_id and l.kind = 'country'"
                " order by p.seq, l.value"
            )
        ).all()
    engine.dispose()
    out: dict[str, list[str]] = {}
    for passage, value in rows:
        out.setdefault(passage.split()[0], []).extend([value] if value else [])
    return out


def test_a_passage_gets_the_country_its_section_heading_names(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dossier.html").write_text(DOSSIER)
    db = tmp_path / "store.db"

    run_plain([corpus], f"sqlite:///{db}")
    expected = {"Croatia": ["HR"], "The": ["HR"], "Finland": ["FI"]}
    assert _countries(db) == expected

    # a new model or tagger re-labels without re-extracting: the context must survive that
    assert relabel_store(f"sqlite:///{db}") == 3
    assert _countries(db) == expected

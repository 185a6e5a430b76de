"""Small corpora and store snapshots for the refresh tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "corpus"


def small_corpus(dest: Path, n_txt: int = 4, n_html: int = 2, n_pdf: int = 0) -> Path:
    """Some demo documents (with the manifest) copied into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for suffix, n in ((".txt", n_txt), (".html", n_html), (".pdf", n_pdf)):
        for f in sorted(DEMO.glob(f"*{suffix}"))[:n]:
            shutil.copy2(f, dest / f.name)
    shutil.copy2(DEMO / "manifest.json", dest / "manifest.json")
    return dest


def snapshot(db_url: str) -> dict[str, list[tuple]]:
    """documents, passages and labels rows without timestamps or surrogate keys, sorted."""
    from store.connect import connect
    from store.schema import documents, labels, passages

    skip = {"first_seen", "last_seen", "updated_at", "retired_at", "created_at", "label_id"}
    out: dict[str, list[tuple]] = {}
    with connect(db_url).connect() as conn:
        for table in (documents, passages, labels):
            cols = [c for c in table.c if c.name not in skip]
            rows = conn.execute(select(*cols)).all()
            out[table.name] = sorted(tuple(repr(v) for v in r) for r in rows)
    return out

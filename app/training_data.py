"""Reviewed passages from the store, written as a gold file the trainer reads."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path


def export_reviewed_gold(db_url: str, path: Path | None = None) -> Path | None:
    """Write reviewed passages as JSON Lines; ``None`` when nothing has been reviewed."""
    from store.connect import connect
    from store.review import reviewed_gold

    records = reviewed_gold(connect(db_url))
    if not records:
        return None
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="credscope-reviews-")) / "reviewed.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path

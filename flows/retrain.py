"""``retrain_model``: reviewed passages become gold, a model is trained, evaluated and promoted
only if it is not worse; optionally the store is relabelled with the new default.

The work is in plain functions (``export_gold`` here, ``models.registry.train_and_register``,
``flows.pipeline.relabel_store``); the flow only wires them together.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from prefect import flow, task


def export_gold(db_url: str, path: Path | None = None) -> Path | None:
    """Reviewed passages of the store as a gold JSON Lines file; None when nothing is reviewed."""
    from store.connect import connect
    from store.review import reviewed_gold

    records = reviewed_gold(connect(db_url))
    if not records:
        return None
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="credscope-retrain-")) / "reviewed.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def gold_paths(extra: list[str] | None, reviewed: Path | None) -> list[Path]:
    """The shipped annotations, then extra files, then the reviewed export (later files win
    for a duplicated text, so a reviewer's labels override the original ones)."""
    from models.train import default_gold_paths

    paths = [*default_gold_paths(), *(Path(p) for p in extra or [])]
    if reviewed is not None:
        paths.append(reviewed)
    return list(dict.fromkeys(paths))


def summarise(card: dict[str, Any], gold: Path | None, relabelled: int | None) -> dict[str, Any]:
    """What a retrain did, for the terminal and Prefect's UI."""
    metrics = card.get("metrics", {})
    return {
        "version": card.get("version"),
        "promoted": bool(card.get("promoted")),
        "macro_f1": metrics.get("macro_f1"),
        "compared_to": card.get("compared_to"),
        "reviewed_gold": str(gold) if gold else None,
        "reviewed_passages": _count_lines(gold) if gold else 0,
        "relabelled": relabelled,
    }


def _count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh)


@task(name="export_gold")
def export_gold_task(db_url: str) -> Path | None:
    return export_gold(db_url)


@task(name="train_and_register")
def train_and_register_task(gold_paths: list[Path] | None, force: bool) -> dict[str, Any]:
    from models.registry import train_and_register

    return train_and_register(gold_paths or None, force=force)


@task(name="relabel_store")
def relabel_store_task(db_url: str) -> int:
    from flows.pipeline import relabel_store

    return relabel_store(db_url)


@flow(name="retrain_model", log_prints=True)
def retrain_model(
    db_url: str,
    extra_gold: list[str] | None = None,
    relabel: bool = True,
    force: bool = False,
) -> dict[str, Any]:
    """Reviewed gold + the shipped annotations (+ ``extra_gold``) -> a new model version;
    promoted only if its cross-validated macro-F1 is not worse than the default's; the store is
    relabelled when it was promoted and ``relabel`` is true (review decisions are untouched)."""
    reviewed = export_gold_task(db_url)
    paths = gold_paths(extra_gold, reviewed)
    card = train_and_register_task(paths, force)
    relabelled = relabel_store_task(db_url) if card.get("promoted") and relabel else None
    summary = summarise(card, reviewed, relabelled)
    print(json.dumps(summary, default=str))
    return summary

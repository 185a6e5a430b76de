"""Commands over the theme classifier: classify, train, evaluate, models, relabel."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.options import DbOption, TableFormat
from app.output import console, write_rows
from app.settings import resolve_db_url


def classify(
    input: Annotated[str, typer.Option("--input", help="JSON Lines {id, text}; - is stdin.")] = "-",
    output: Annotated[str, typer.Option("--output", help="JSON Lines out; - is stdout.")] = "-",
    explain: Annotated[bool, typer.Option(help="Add the terms that drove each theme.")] = False,
    batch_size: Annotated[int, typer.Option(help="Records per batch.")] = 256,
) -> None:
    """Classify passages: themes with scores, countries and sectors, one JSON line each.

    A bad record gets an "error" field; the rest of the batch goes on.

    Example: echo '{"id": "1", "text": "Finnish employers trust badges."}' | credscope classify
    """
    from app.classify import classify_records

    src = sys.stdin if input == "-" else open(input, encoding="utf-8")  # noqa: SIM115
    dst = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        for record in classify_records(src, explain=explain, batch_size=batch_size):
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if src is not sys.stdin:
            src.close()
        if dst is not sys.stdout:
            dst.close()


def evaluate(
    gold: Annotated[list[Path] | None, typer.Option("--gold", help="Gold JSON Lines.")] = None,
    format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
) -> None:
    """Grouped cross-validation of the theme classifier (with baselines) and tagging scores.

    Example: credscope evaluate --gold data/annotations/passages.jsonl
    """
    from models.evaluate import evaluate as run_evaluate
    from models.evaluate import format_report
    from nlp.evaluate import evaluate_tagging

    report = run_evaluate(gold or None)
    tagging = evaluate_tagging(gold[0] if gold else None)
    if format == TableFormat.json:
        typer.echo(json.dumps({"themes": report, "tagging": tagging}, indent=2, default=str))
        return
    console.print(format_report(report))
    from nlp.evaluate import format_tagging_report

    console.print(format_tagging_report(tagging))


def train(
    gold: Annotated[
        list[Path] | None, typer.Option("--gold", help="Extra gold JSON Lines.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Promote even if not better.")] = False,
    reviews: Annotated[bool, typer.Option(help="Add reviewed passages from the store.")] = True,
    db: DbOption = None,
) -> None:
    """Train a new model version; promote it to default only if it is not worse.

    Example: credscope train --gold extra.jsonl
    """
    from models.registry import train_and_register
    from models.train import default_gold_paths

    # the shipped annotations, then extra gold, then reviews last: later files win a text
    paths = default_gold_paths() + list(gold or [])
    if reviews:
        from app.training_data import export_reviewed_gold

        extra = export_reviewed_gold(resolve_db_url(db))
        if extra is not None:
            paths.append(extra)
    card = train_and_register(paths, force=force)
    console.print_json(json.dumps(card, default=str))


def models(format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table) -> None:
    """List model versions; the default is marked.

    Example: credscope models --format json
    """
    from models.registry import list_versions

    rows = list_versions()
    if format == TableFormat.json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    summary = [
        {
            "version": r.get("version"),
            "default": "yes" if r.get("is_default") else "",
            "created": str(r.get("created", ""))[:19],
            "macro_f1": r.get("metrics", {}).get("macro_f1"),
            "passages": r.get("training_data", {}).get("passages"),
            "codebook": r.get("codebook_version"),
            "kB": round((r.get("model_bytes") or 0) / 1024),
        }
        for r in rows
    ]
    write_rows(summary, "table", list(summary[0]) if summary else [], title="Theme models")


def relabel(db: DbOption = None) -> None:
    """Re-classify stored passages with the current default model, without re-extracting.

    Example: credscope relabel --db findings.db
    """
    from flows.pipeline import relabel_store

    n = relabel_store(resolve_db_url(db))
    console.print(f"Relabelled {n} passages.")


def register(app: typer.Typer) -> None:
    for command in (classify, evaluate, train, models, relabel):
        app.command()(command)

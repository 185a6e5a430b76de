"""Throughput per stage and for the whole refresh, with and without Prefect.

    python -m bench.bench_pipeline [--scale 5]

Stages run in one process in order (peak RSS is cumulative); the whole refresh runs as the
real command in fresh processes: through the Prefect flow (ephemeral server started by the
process itself) and as plain functions (``--no-prefect``), on a fresh SQLite store each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

from bench.common import OUT, ROOT, peak_rss_mb, run_child, scaled_corpus, table


def stages(corpus: Path) -> list[list[object]]:
    from corpus.discover import discover
    from corpus.errors import ExtractionError
    from corpus.extract import extract_file
    from corpus.ids import document_id
    from corpus.passages import split_passages
    from flows.pipeline import load_analysers
    from models.predict import predict
    from nlp import tag_texts
    from store.connect import connect
    from store.types import LabelRecord, ProcessedDocument
    from store.write import write_document

    rows: list[list[object]] = []

    def row(name: str, seconds: float, docs: int, pages: int, passages: int) -> None:
        rows.append(
            [
                name,
                round(seconds, 2),
                docs / seconds,
                pages / seconds,
                passages / seconds if passages else "",
                round(peak_rss_mb()),
            ]
        )

    t = time.perf_counter()
    sources = discover([corpus])
    row("discover (hash)", time.perf_counter() - t, len(sources), 0, 0)

    t = time.perf_counter()
    extractions = []
    for s in sources:
        with contextlib.suppress(ExtractionError):  # failures are counted by the refresh rows
            extractions.append((s, extract_file(s.path, kind=s.kind)))
    pages = sum(e.n_pages for _, e in extractions)
    row("extract", time.perf_counter() - t, len(sources), pages, 0)

    t = time.perf_counter()
    cut = [(s, split_passages(e, document_id(s.uri))) for s, e in extractions]
    n_passages = sum(len(p) for _, p in cut)
    row("passages", time.perf_counter() - t, len(cut), pages, n_passages)

    t = time.perf_counter()
    analysers = load_analysers()
    load_s = time.perf_counter() - t
    texts = [p.text for _, ps in cut for p in ps]

    t = time.perf_counter()
    tags = tag_texts(texts, nlp=analysers.nlp)
    row("countries+sectors (spaCy)", time.perf_counter() - t, len(cut), pages, len(texts))

    t = time.perf_counter()
    preds = predict(analysers.model, texts, explain=True)
    row("themes (sklearn)", time.perf_counter() - t, len(cut), pages, len(texts))

    engine = connect(f"sqlite:///{OUT / 'bench-stages.db'}")
    t = time.perf_counter()
    i = 0
    for s, ps in cut:
        labels = []
        for p in ps:
            pred, tag_list = preds[i], tags[i]
            i += 1
            labels += [
                LabelRecord(
                    p.passage_id,
                    "theme",
                    th,
                    "model",
                    sc,
                    th in pred.themes,
                    analysers.model.version,
                )
                for th, sc in pred.scores.items()
            ]
            labels += [
                LabelRecord(
                    p.passage_id, tg.kind, tg.code, "rule", evidence=[[tg.start, tg.end, tg.text]]
                )
                for tg in tag_list
            ]
        write_document(
            engine,
            ProcessedDocument(
                source=s,
                document_id=document_id(s.uri),
                pipeline_version="bench",
                passages=ps,
                labels=labels,
            ),
        )
    row("store write (SQLite)", time.perf_counter() - t, len(cut), pages, n_passages)
    rows.append(["(model + pipeline load)", round(load_s, 2), "", "", "", ""])
    rows.append(
        ["(corpus)", f"{len(sources)} docs", f"{pages} pages", f"{n_passages} passages", "", ""]
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--stages-only", action="store_true")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = scaled_corpus(args.scale)

    if args.json:  # child mode: run the stages, write rows as JSON
        (OUT / "bench-stages.db").unlink(missing_ok=True)
        args.json.write_text(json.dumps(stages(corpus)))
        return

    rows_file = OUT / "stages.json"
    run_child(
        [
            sys.executable,
            "-m",
            "bench.bench_pipeline",
            "--scale",
            str(args.scale),
            "--json",
            str(rows_file),
        ]
    )
    print(f"Demo corpus x{args.scale}: stages in one process, in order\n")
    print(
        table(
            ["stage", "seconds", "docs/s", "pages/s", "passages/s", "peak RSS MB (cumul.)"],
            json.loads(rows_file.read_text()),
        )
    )
    if args.stages_only:
        return

    cli = str(Path(sys.executable).parent / "credscope")
    whole = []
    for label, extra in (
        ("refresh, Prefect flow (ephemeral)", []),
        ("refresh, plain functions", ["--no-prefect"]),
    ):
        db = OUT / "bench-refresh.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        wall, rss, code = run_child(
            [cli, "refresh", str(corpus), "--db", str(db), *extra], env={"COLUMNS": "120"}
        )
        from sqlalchemy import create_engine, text

        with create_engine(f"sqlite:///{db}").connect() as conn:
            counts, started, finished = conn.execute(
                text("select counts, started_at, finished_at from runs")
            ).one()
        from datetime import datetime

        flow_s = datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
        whole.append(
            [
                label,
                round(wall, 1),
                round(flow_s.total_seconds(), 1),
                round(rss),
                json.loads(counts).get("new", 0) if isinstance(counts, str) else counts.get("new"),
            ]
        )
    prefect_wall, plain_wall = whole[0][1], whole[1][1]
    prefect_run, plain_run = whole[0][2], whole[1][2]
    print(f"\nWhole refresh of demo corpus x{args.scale} on a fresh SQLite store\n")
    print(
        table(["run", "process wall s", "run s (store record)", "peak RSS MB", "documents"], whole)
    )
    print(
        f"\nPrefect overhead: process {prefect_wall / plain_wall:.2f}x, "
        f"run {prefect_run / plain_run:.2f}x the plain pipeline"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

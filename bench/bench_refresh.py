"""Incremental refresh: full vs no-op vs one changed document; Dask vs one process.

    python -m bench.bench_refresh [--scale 5] [--pdf-scale 15] [--repeat 3]

Every run is the real command in a fresh process (``credscope refresh``, Prefect ephemeral
mode). "run s" is the store's run record (flow start to flow end); "process s" includes
Python and Prefect start-up. The demo corpus replicated ``--scale`` times (229 documents each)
is the incremental corpus; the PDF-only corpus (14 PDFs replicated) is the extraction-heavy one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from bench.common import DEMO, OUT, ROOT, median, run_child, table


def _fresh_db(name: str) -> Path:
    db = OUT / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def _last_run(db: Path) -> tuple[float, dict]:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        counts, started, finished = conn.execute(
            text("select counts, started_at, finished_at from runs order by started_at desc")
        ).first()
    engine.dispose()
    seconds = (
        datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
    ).total_seconds()
    return seconds, json.loads(counts) if isinstance(counts, str) else counts


def _refresh(corpus: Path, db: Path, *extra: str) -> tuple[float, float, dict]:
    cli = str(Path(sys.executable).parent / "credscope")
    wall, _rss, code = run_child(
        [cli, "refresh", str(corpus), "--db", str(db), *extra], env={"COLUMNS": "120"}
    )
    if code:
        raise SystemExit(f"refresh failed with exit code {code}")
    run_s, counts = _last_run(db)
    return wall, run_s, counts


def pdf_corpus(scale: int) -> Path:
    dest = OUT / f"corpus-pdf-x{scale}"
    if (dest / ".complete").exists():
        return dest
    pdfs = sorted(DEMO.glob("*.pdf"))
    for i in range(scale):
        copy = dest / f"copy-{i:03d}"
        copy.mkdir(parents=True, exist_ok=True)
        for f in pdfs:
            if not (copy / f.name).exists():
                os.link(f, copy / f.name)
    (dest / ".complete").touch()
    return dest


def incremental(scale: int) -> list[list[object]]:
    from bench.common import scaled_corpus

    corpus = scaled_corpus(scale)
    n_docs = sum(1 for p in corpus.rglob("*") if p.suffix in (".pdf", ".html", ".txt"))
    db = _fresh_db("bench-incremental.db")
    rows: list[list[object]] = []
    full_wall, full_run, c = _refresh(corpus, db)
    per_doc = full_run / max(1, c["new"] + c["failed"])
    rows.append(
        [
            "full refresh",
            n_docs,
            round(full_wall, 1),
            round(full_run, 2),
            f"new {c['new']}, failed {c['failed']}",
            "",
        ]
    )
    noop_wall, noop_run, c = _refresh(corpus, db)
    rows.append(
        [
            "no-op refresh",
            n_docs,
            round(noop_wall, 1),
            round(noop_run, 2),
            f"unchanged {c['unchanged']}",
            f"{100 * noop_run / full_run:.1f}% of full (target <= 5%)",
        ]
    )
    # one changed document: replace the hard link by an edited copy, then put it back
    target = sorted((corpus / "copy-000").glob("*.txt"))[0]
    original = target.read_bytes()
    target.unlink()
    target.write_bytes(original + b"\n\nMicro-credentials are now stackable in Malta.\n")
    try:
        one_wall, one_run, c = _refresh(corpus, db)
    finally:
        target.unlink()
        os.link(DEMO / target.name, target)
    budget = noop_run + 2 * per_doc
    rows.append(
        [
            "one changed",
            n_docs,
            round(one_wall, 1),
            round(one_run, 2),
            f"changed {c['changed']}, unchanged {c['unchanged']}",
            f"budget no-op + 2 x {per_doc:.2f} s/doc = {budget:.2f} s "
            f"({'met' if one_run <= budget else 'missed'})",
        ]
    )
    _refresh(corpus, db)  # back in line with the restored file
    return rows


def _existing_cluster(workers: int) -> object:
    """A LocalCluster started before the run, as a team's long-lived scheduler and workers
    would be (started with the same worker preload), warmed up before timing."""
    from distributed import Client, LocalCluster

    from flows.refresh import local_cluster_kwargs

    cluster = LocalCluster(**local_cluster_kwargs(workers))
    with Client(cluster) as client:
        client.wait_for_workers(workers)
        client.run(_wait_for_analysers)
    return cluster


def _wait_for_analysers() -> None:
    from flows.pipeline import load_analysers

    load_analysers()


def dask_vs_single(pdf_scale: int, workers: int = 2, repeat: int = 1) -> list[list[object]]:
    """Each runner ``repeat`` times, interleaved (so a burst of load elsewhere on a shared
    machine hits all of them); medians are reported and the speed-ups are ratios of medians."""
    corpus = pdf_corpus(pdf_scale)
    n = sum(1 for _ in corpus.rglob("*.pdf"))
    runners = {
        "one process (thread runner)": [],
        f"Dask LocalCluster started by the run, {workers} workers": [
            "--task-runner",
            "dask",
            "--workers",
            str(workers),
        ],
        f"Dask existing cluster (warm), {workers} workers": ["--task-runner", "dask"],
    }
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in runners}
    counts: dict[str, dict] = {}
    cluster = _existing_cluster(workers)
    runners[f"Dask existing cluster (warm), {workers} workers"] += [
        "--dask-address",
        cluster.scheduler_address,
    ]
    try:
        for _ in range(repeat):
            for label, extra in runners.items():
                wall, run_s, c = _refresh(corpus, _fresh_db("bench-dask.db"), *extra)
                times[label].append((wall, run_s))
                counts[label] = c
    finally:
        cluster.close()
    rows: list[list[object]] = []
    medians = {
        label: (median([w for w, _ in t]), median([r for _, r in t])) for label, t in times.items()
    }
    for label, (wall, run_s) in medians.items():
        c = counts[label]
        rows.append(
            [
                label,
                n,
                round(wall, 1),
                round(run_s, 2),
                f"{n / run_s:.2f} docs/s",
                f"new {c['new']}, failed {c['failed']}; run s "
                + ", ".join(f"{r:.1f}" for _, r in times[label]),
            ]
        )
    single_wall, single_run = next(iter(medians.values()))
    for label, (wall, run_s) in list(medians.items())[1:]:
        rows.append(
            [
                f"speed-up: {label.split(',')[0]}",
                "",
                f"{single_wall / wall:.2f}x",
                f"{single_run / run_s:.2f}x",
                "target >= 1.6x",
                "",
            ]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--pdf-scale", type=int, default=15)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="Dask comparison rounds")
    parser.add_argument("--skip-incremental", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_incremental:
        print(f"Incremental refresh, demo corpus x{args.scale}, SQLite, Prefect thread runner\n")
        print(
            table(
                ["run", "documents", "process s", "run s", "counts", "vs target"],
                incremental(args.scale),
            )
        )
    if not args.skip_dask:
        print(f"\nExtraction-heavy corpus (demo PDFs x{args.pdf_scale}): Dask vs one process\n")
        print(
            table(
                ["runner", "documents", "process s", "run s", "run throughput", "counts"],
                dask_vs_single(args.pdf_scale, repeat=args.repeat),
            )
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

"""Review bench: time per decision saved + next passage rendered, on a 100k-passage store.

Builds (once, cached under bench/out/) a SQLite store of the gold passages repeated with
distinct text, 4 theme scores and the tagger's spans each, then drives the web app in-process
with FastAPI's TestClient: POST /review/decide, then GET the next /review page, as a browser
does. Prints a markdown table.

Example: .venv/bin/python bench/bench_review.py --passages 100000 --decisions 200
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def build_store(path: Path, n_passages: int) -> float:
    from app.web.sample import load_records, sample_documents, tag_spans
    from store.connect import connect
    from store.write import write_document

    started = time.perf_counter()
    records = load_records()
    spans = tag_spans([r["text"] for r in records])
    copies = -(-n_passages // len(records))
    engine = connect(f"sqlite:///{path}")
    docs = sample_documents(records, spans, copies=copies, prefix="bench")
    written = 0
    for doc in docs:
        if written >= n_passages:
            break
        write_document(engine, doc)
        written += len(doc.passages)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    from store.connect import dispose_all

    dispose_all()
    return time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(n_passages: int, decisions: int) -> list[tuple[str, str]]:
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from app.web import create_app
    from store.connect import connect
    from store.schema import labels, passages

    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"review-{n_passages}.db"
    rows: list[tuple[str, str]] = []
    if not path.exists():
        tmp = path.with_suffix(".tmp.db")
        tmp.unlink(missing_ok=True)
        secs = build_store(tmp, n_passages)
        tmp.rename(path)
        rows.append(("store built (write_document)", f"{secs:.0f} s"))
    url = f"sqlite:///{path}"
    engine = connect(url)
    with engine.connect() as conn:
        n_p = conn.execute(select(func.count()).select_from(passages)).scalar_one()
        n_l = conn.execute(select(func.count()).select_from(labels)).scalar_one()
    rows.append(("store", f"{n_p:,} passages, {n_l:,} labels"))

    from app.web.app import warm

    app = create_app(url, reviewer=f"bench-{int(time.time())}")
    t0 = time.perf_counter()
    warm(app.state.web)
    rows.append(
        (
            "warm-up at start (thresholds, uncertainty queue, near-duplicate index)",
            f"{time.perf_counter() - t0:.1f} s",
        )
    )
    client = TestClient(app)
    t0 = time.perf_counter()
    page = client.get("/review")
    rows.append(("first /review after warm-up", f"{(time.perf_counter() - t0) * 1000:.0f} ms"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def pid_of(html: str) -> str:
        return re.search(r'name="passage_id" value="([^"]+)"', html).group(1)

    total: list[float] = []
    save: list[float] = []
    render: list[float] = []
    html = page.text
    for i in range(decisions):
        pid = pid_of(html)
        themes = ["trust", "recognition"] if i % 2 else ["naming"]
        t1 = time.perf_counter()
        r = client.post(
            "/review/decide",
            data={"csrf_token": csrf, "passage_id": pid, "theme": themes, "country_add": "FR"},
            follow_redirects=False,
        )
        t2 = time.perf_counter()
        nxt = client.get(r.headers["location"])
        t3 = time.perf_counter()
        assert r.status_code == 303 and nxt.status_code == 200
        html = nxt.text
        assert pid_of(html) != pid
        save.append((t2 - t1) * 1000)
        render.append((t3 - t2) * 1000)
        total.append((t3 - t1) * 1000)
    for name, vals in (
        ("decision saved + next passage rendered", total),
        ("  of which: POST /review/decide", save),
        ("  of which: GET next /review", render),
    ):
        rows.append(
            (
                f"{name} (median / p95, n={decisions})",
                f"{statistics.median(vals):.1f} / {pct(vals, 0.95):.1f} ms",
            )
        )
    t0 = time.perf_counter()
    client.post("/review/undo", data={"csrf_token": csrf}, follow_redirects=True)
    rows.append(("undo + reopened passage rendered", f"{(time.perf_counter() - t0) * 1000:.0f} ms"))
    for label, path_ in (
        ("findings page (first 25 + facets)", "/findings"),
        ("matrix theme x country", "/matrix"),
        ("queue page (next 100)", "/queue"),
    ):
        t0 = time.perf_counter()
        assert client.get(path_).status_code == 200
        rows.append((label, f"{(time.perf_counter() - t0) * 1000:.0f} ms"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--decisions", type=int, default=200)
    args = ap.parse_args()
    rows = run(args.passages, args.decisions)
    print("| review bench (target: < 150 ms per decision at the server) | value |")
    print("|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()

"""Theme classifier throughput on one core after load, and model load time.

Prints a markdown table. Targets: >= 2,000 passages/s, load < 1 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "data" / "annotations" / "passages.jsonl"


def _single_core() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _cold_load_seconds() -> tuple[float, float]:
    """Load time in a fresh process (imports included), as the CLI sees it, and the part of
    it spent importing skops.io (which imports scikit-learn)."""
    code = (
        "import time; t=time.perf_counter(); import skops.io; i=time.perf_counter()-t; "
        "from models.predict import load_model; load_model(); "
        "print(time.perf_counter()-t, i)"
    )
    out = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True)
    total, imports = out.strip().splitlines()[-1].split()
    return float(total), float(imports)


def main() -> None:
    _single_core()
    from models import registry
    from models.predict import load_model, predict

    t0 = time.perf_counter()
    import skops.io  # noqa: F401  (imports sklearn too; timed apart from the model load)

    import_s = time.perf_counter() - t0
    texts = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()]
    t0 = time.perf_counter()
    model = load_model()
    warm_load = time.perf_counter() - t0
    cold_load, cold_imports = _cold_load_seconds()
    predict(model, texts[:50])  # first call builds lazy lookup tables
    batch = texts * 6
    rows = []
    for explain in (False, True):
        t0, c0 = time.perf_counter(), time.process_time()
        predict(model, batch, explain=explain)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        rows.append((len(batch) / dt, len(batch) / dc))
    load = os.getloadavg()[0]
    size = registry.model_path().stat().st_size
    print(
        f"model `{model.version}`, {len(batch)} passages (gold texts x6), one core; "
        f"load average {load:.1f}\n"
    )
    print("| measure | value | target |")
    print("|---|---:|---:|")
    print(f"| passages/s (wall / CPU) | {rows[0][0]:,.0f} / {rows[0][1]:,.0f} | >= 2,000 |")
    print(f"| passages/s explain (wall / CPU) | {rows[1][0]:,.0f} / {rows[1][1]:,.0f} | |")
    print(f"| import sklearn + skops (s) | {import_s:.3f} | |")
    print(f"| model load after imports (s) | {warm_load:.3f} | < 1 |")
    print(f"| model load, fresh process incl. imports (s) | {cold_load:.3f} | < 1 |")
    print(f"| of which import skops.io + sklearn (s) | {cold_imports:.3f} | |")
    print(f"| model file size (KB) | {size / 1024:,.0f} | a few MB |")


if __name__ == "__main__":
    main()

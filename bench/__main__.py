"""Run every benchmark module in turn (each in its own process) and print their tables.

``python -m bench`` runs the default set; ``python -m bench pipeline store`` runs some.
Targets are checked here, by reading the tables, never by timed assertions in tests.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = ["pipeline", "extract", "tagging", "classify", "store", "review", "refresh"]


def main(argv: list[str]) -> int:
    names = argv or DEFAULT
    failed = []
    for name in names:
        module = HERE / f"bench_{name}.py"
        if not module.exists():
            print(f"(no bench_{name}.py)")
            continue
        print(f"\n## bench_{name}\n", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"bench.bench_{name}"], cwd=HERE.parent)
        print(f"\n_{name}: {time.perf_counter() - started:.0f} s_", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A cross-tab as a heatmap PNG (matplotlib, headless Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def heatmap(cells: list[Any], rows: str, cols: str, path: Path, *, max_cols: int = 40) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    row_keys = sorted({c.row for c in cells}, key=str)
    totals: dict[Any, int] = {}
    for c in cells:
        totals[c.col] = totals.get(c.col, 0) + c.passages
    col_keys = sorted(totals, key=lambda k: -totals[k])[:max_cols]
    grid = {(c.row, c.col): c.passages for c in cells}
    data = [[grid.get((r, k), 0) for k in col_keys] for r in row_keys]
    fig, ax = plt.subplots(
        figsize=(max(4, 0.45 * len(col_keys) + 2), max(2, 0.5 * len(row_keys) + 1.5))
    )
    im = ax.imshow(data or [[0]], cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(col_keys)), [str(k) for k in col_keys], rotation=90)
    ax.set_yticks(range(len(row_keys)), [str(r) for r in row_keys])
    ax.set_xlabel(cols)
    ax.set_ylabel(rows)
    fig.colorbar(im, ax=ax, label="passages")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)

"""Print rows as a rich table, CSV, JSON or JSON Lines."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def as_dict(row: Any) -> dict[str, Any]:
    if is_dataclass(row) and not isinstance(row, type):
        return asdict(row)
    if isinstance(row, dict):
        return row
    return dict(row._mapping)  # a SQLAlchemy row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def write_rows(
    rows: Iterable[Any],
    fmt: str,
    columns: Sequence[str],
    *,
    out: TextIO | None = None,
    title: str | None = None,
    wrap: Sequence[str] = (),
) -> None:
    """Rows (dataclasses or dicts) in one of table, csv, json, jsonl."""
    out = out or sys.stdout
    dicts = [as_dict(r) for r in rows]
    if fmt == "json":
        json.dump([{c: d.get(c) for c in columns} for d in dicts], out, indent=2, default=str)
        out.write("\n")
    elif fmt == "jsonl":
        for d in dicts:
            out.write(json.dumps({c: d.get(c) for c in columns}, default=str) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for d in dicts:
            writer.writerow(
                [
                    json.dumps(d.get(c)) if isinstance(d.get(c), dict) else _cell(d.get(c))
                    for c in columns
                ]
            )
    else:
        table = Table(title=title, show_lines=bool(wrap))
        for c in columns:
            table.add_column(c, overflow="fold", ratio=4 if c in wrap else None)
        for d in dicts:
            table.add_row(*(_cell(d.get(c)) for c in columns))
        Console(file=out).print(table) if out is not sys.stdout else console.print(table)

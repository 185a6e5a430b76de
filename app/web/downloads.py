"""CSV and XLSX downloads of findings: one human-readable row per passage."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from store.types import Finding

COLUMNS = [
    "passage_id",
    "document_id",
    "title",
    "page",
    "link",
    "text",
    "themes",
    "countries",
    "sectors",
    "scores",
    "reviewed",
    "model_version",
    "doc_type",
    "date",
]


def _row(f: Finding) -> list[Any]:
    def cell(v: Any) -> Any:
        if isinstance(v, list):
            return "; ".join(v)
        if isinstance(v, dict):
            return "; ".join(f"{k}={v[k]}" for k in sorted(v))
        return v

    return [cell(getattr(f, c)) for c in COLUMNS]


def _safe(v: Any) -> Any:
    """Spreadsheet formula injection: a text cell starting with = + - @ is prefixed with '."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def csv_response(rows: Sequence[Finding]) -> Response:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for f in rows:
        w.writerow([_safe(v) for v in _row(f)])
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="findings.csv"'},
    )


def xlsx_response(rows: Sequence[Finding]) -> Response:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("findings")
    ws.append(COLUMNS)
    for f in rows:
        ws.append([_safe(v) for v in _row(f)])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(
        buf.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="findings.xlsx"'},
    )

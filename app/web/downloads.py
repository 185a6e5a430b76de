"""CSV and XLSX downloads of findings through the store's exporter (reviewer-aware rows)."""

from __future__ import annotations

import io

from fastapi import HTTPException
from fastapi.responses import Response

from store.connect import Engine
from store.query import FindingsQuery

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(engine: Engine, q: FindingsQuery, fmt: str) -> Response:
    """The findings of ``q`` as a file (``store.export`` writes it, formulas defused)."""
    from store.export import export

    if fmt not in MEDIA:
        raise HTTPException(status_code=404, detail=f"no {fmt!r} download; csv or xlsx")
    if fmt == "xlsx":
        buf: io.IOBase = io.BytesIO()
        export(engine, q, "xlsx", buf)
        body = buf.getvalue()
    else:
        text = io.StringIO()
        export(engine, q, "csv", text)
        body = text.getvalue().encode("utf-8")
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="findings.{fmt}"'},
    )

"""The analysts' view: facets, search, reviewed-only, downloads."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.web import views
from app.web.deps import get_state, render, require_csrf
from app.web.downloads import csv_response, xlsx_response

router = APIRouter(dependencies=[Depends(require_csrf)])


@router.get("/findings")
def findings(request: Request, page: int = 1) -> Response:
    f = views.browse_filter(request.query_params)
    data = views.findings_page(get_state(request), f, max(1, page))
    return render(request, "findings.html", data)


@router.get("/findings.csv")
def findings_csv(request: Request) -> Response:
    from store import browse

    f = views.browse_filter(request.query_params)
    return csv_response(browse.findings(get_state(request).engine, f, limit=None))


@router.get("/findings.xlsx")
def findings_xlsx(request: Request) -> Response:
    from store import browse

    f = views.browse_filter(request.query_params)
    return xlsx_response(browse.findings(get_state(request).engine, f, limit=None))

"""The analysts' view: facets, search, reviewed-only, downloads."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.web import views
from app.web.deps import get_state, render, require_csrf
from app.web.downloads import download

router = APIRouter(dependencies=[Depends(require_csrf)])


@router.get("/findings")
def findings(request: Request, page: int = 1) -> Response:
    f = views.browse_filter(request.query_params)
    data = views.findings_page(get_state(request), f, max(1, page))
    return render(request, "findings.html", data)


@router.get("/findings.{fmt}")
def findings_download(request: Request, fmt: str) -> Response:
    f = views.browse_filter(request.query_params)
    return download(get_state(request).engine, views.findings_query(f), fmt)

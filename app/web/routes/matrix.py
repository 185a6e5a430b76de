"""Theme x country matrix; each cell opens its passages on the findings page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.web import views
from app.web.deps import get_state, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])


@router.get("/matrix")
def matrix(request: Request) -> Response:
    f = views.browse_filter(request.query_params)
    return render(request, "matrix.html", views.matrix_page(get_state(request), f))


@router.get("/agreement")
def agreement(request: Request) -> Response:
    return render(request, "agreement.html", views.agreement_page(get_state(request)))

"""JSON: the same dicts the pages render, plus decide/undo for scripts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from app.web import views
from app.web.deps import current_reviewer, get_state, require_csrf

router = APIRouter(prefix="/api", dependencies=[Depends(require_csrf)])


class DecideBody(BaseModel):
    passage_id: str
    themes: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    together: list[str] = Field(default_factory=list)


def _reviewer(request: Request) -> str:
    name = current_reviewer(request)
    if not name:
        raise HTTPException(status_code=400, detail="no reviewer name: set one first")
    return name


@router.get("/review")
def review(request: Request, passage: str | None = None) -> dict[str, Any]:
    filt = views.queue_filter(dict(request.query_params))
    page = views.review_page(get_state(request), _reviewer(request), filt, passage)
    return views.jsonable(page)


@router.post("/review/decide")
def decide(request: Request, body: DecideBody) -> dict[str, Any]:
    try:
        n = views.decide(
            get_state(request),
            _reviewer(request),
            body.passage_id,
            themes=body.themes,
            countries=body.countries,
            sectors=body.sectors,
            together=body.together,
        )
    except views.BadInput as exc:
        raise HTTPException(status_code=400, detail=exc.reason) from exc
    return {"rows": n}


@router.post("/review/undo")
def undo(request: Request) -> dict[str, Any]:
    from store.review import undo_last

    return {"passage_id": undo_last(get_state(request).engine, _reviewer(request))}


@router.get("/queue")
def queue(request: Request) -> dict[str, Any]:
    filt = views.queue_filter(dict(request.query_params))
    return views.jsonable(views.queue_page(get_state(request), filt))


@router.get("/findings")
def findings(request: Request, page: int = 1) -> dict[str, Any]:
    f = views.browse_filter(request.query_params)
    return views.jsonable(views.findings_page(get_state(request), f, max(1, page)))


@router.get("/matrix")
def matrix(request: Request) -> dict[str, Any]:
    f = views.browse_filter(request.query_params)
    return views.jsonable(views.matrix_page(get_state(request), f))


@router.get("/agreement")
def agreement(request: Request) -> dict[str, Any]:
    return views.jsonable(views.agreement_page(get_state(request)))

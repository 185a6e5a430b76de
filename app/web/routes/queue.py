"""The queue: passages by uncertainty, filterable; give a share to two reviewers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.web import views
from app.web.deps import get_state, redirect, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])


@router.get("/queue")
def queue(request: Request) -> Response:
    state = get_state(request)
    filt = views.queue_filter(dict(request.query_params))
    return render(request, "queue.html", views.queue_page(state, filt))


@router.post("/queue/assign")
async def assign(request: Request) -> Response:
    from store.review import assign_share

    form = await request.form()
    state = get_state(request)
    reviewers = [str(form.get("reviewer_a", "")).strip(), str(form.get("reviewer_b", "")).strip()]
    reviewers = [r for r in reviewers if r]
    try:
        n = max(0, min(1000, int(str(form.get("n", "0")))))
    except ValueError:
        n = 0
    filt = views.queue_filter(
        {k: str(form.get(k, "")) for k in ("theme", "document", "country", "sector")}
    )
    if reviewers and n:
        assign_share(state.engine, reviewers, n, state.thresholds(), filt)
    return redirect("/queue")

"""The review screen: one passage, keys to decide, undo, history."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.web import views
from app.web.deps import (
    REVIEWER_COOKIE,
    clean_name,
    current_reviewer,
    get_state,
    redirect,
    render,
    require_csrf,
)

router = APIRouter(dependencies=[Depends(require_csrf)])
FILTER_KEYS = ("theme", "document", "country", "sector")


def _back(params: dict[str, str], **extra: str) -> str:
    query = urlencode({**{k: v for k, v in params.items() if v}, **extra})
    return "/review" + (f"?{query}" if query else "")


@router.get("/")
def home() -> Response:
    return redirect("/review")


@router.get("/review")
def review(request: Request, passage: str | None = None) -> Response:
    reviewer = current_reviewer(request)
    if not reviewer:
        return render(request, "reviewer.html", {"next": str(request.url.path)})
    filt = views.queue_filter(dict(request.query_params))
    page = views.review_page(get_state(request), reviewer, filt, passage)
    return render(request, "review.html", page)


@router.post("/review/decide")
async def decide(request: Request) -> Response:
    reviewer = current_reviewer(request)
    if not reviewer:
        return redirect("/review")
    form = await request.form()
    params = {k: str(form.get(f"f_{k}", "")) for k in FILTER_KEYS}
    try:
        views.decide(
            get_state(request),
            reviewer,
            str(form.get("passage_id", "")),
            themes=[str(v) for v in form.getlist("theme")],
            countries=[str(v) for v in form.getlist("country")]
            + [str(form.get("country_add", ""))],
            sectors=[str(v) for v in form.getlist("sector")] + [str(form.get("sector_add", ""))],
            together=[str(v) for v in form.getlist("together")],
        )
    except views.BadInput as exc:
        return render(request, "error.html", {"message": exc.reason}, status=400)
    return redirect(_back(params))


@router.post("/review/undo")
async def undo(request: Request) -> Response:
    reviewer = current_reviewer(request)
    if not reviewer:
        return redirect("/review")
    form = await request.form()
    params = {k: str(form.get(f"f_{k}", "")) for k in FILTER_KEYS}
    from store.review import undo_last

    passage_id = undo_last(get_state(request).engine, reviewer)
    return redirect(_back(params, **({"passage": passage_id} if passage_id else {})))


@router.post("/reviewer")
async def set_reviewer(request: Request) -> Response:
    form = await request.form()
    name = clean_name(str(form.get("name", "")))
    nxt = str(form.get("next", "/review"))
    response = redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/review")
    if name and not get_state(request).reviewer:
        response.set_cookie(
            REVIEWER_COOKIE, name, httponly=True, samesite="strict", max_age=3600 * 24 * 365
        )
    return response

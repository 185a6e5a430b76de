"""App factory: routes, static files, security middleware."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from app.web.deps import WEB_DIR, WebState, install_security, load_themes, render


def warm(state: WebState) -> None:
    """Build the caches the first review needs (thresholds, the queue, the near-duplicate
    index): seconds on a 100k-passage store, so the CLI runs this in a background thread."""
    from store.review import near_duplicates, queue_for

    queue = queue_for(state.engine, state.thresholds())
    if queue.items:
        near_duplicates(state.engine, queue.items[0].content_hash)


def create_app(
    db_url: str, token: str | None = None, reviewer: str | None = None, *, warm_up: bool = False
) -> FastAPI:
    from app.web.routes import api, findings, matrix, queue, review
    from store.connect import connect

    state = WebState(
        db_url=db_url,
        engine=connect(db_url),
        token=token or None,
        reviewer=(reviewer or "").strip() or None,
        themes=load_themes(),
    )
    app = FastAPI(title="credscope review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = state
    for module in (review, queue, findings, matrix, api):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return render(request, "error.html", {"message": str(exc.detail)}, status=exc.status_code)

    install_security(app, state)
    if warm_up:
        import threading

        threading.Thread(target=warm, args=(state,), name="credscope-warm", daemon=True).start()
    return app

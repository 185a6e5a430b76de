"""Shared concerns of the web app: state, access token, CSRF, reviewer name, rendering."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from store.connect import Engine

WEB_DIR = Path(__file__).resolve().parent
CSRF_COOKIE = "credscope_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "credscope_token"
REVIEWER_COOKIE = "credscope_reviewer"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ThemeInfo:
    id: str
    label: str
    definition: str
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


@dataclass
class WebState:
    """What every request needs: the store, the access token, the codebook, thresholds."""

    db_url: str
    engine: Engine
    token: str | None = None
    reviewer: str | None = None  # fixed by ``--reviewer``; otherwise chosen in the browser
    themes: list[ThemeInfo] = field(default_factory=list)
    _thresholds: tuple[float, dict[str, float]] | None = None

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def thresholds(self, ttl: float = 60.0) -> dict[str, float]:
        """Per-theme thresholds of the model that made the stored suggestions."""
        now = time.monotonic()
        if self._thresholds is None or now - self._thresholds[0] > ttl:
            from store.review import infer_thresholds

            inferred = infer_thresholds(self.engine)
            self._thresholds = (now, {t: inferred.get(t, 0.5) for t in self.theme_ids} | inferred)
        return self._thresholds[1]


def load_themes() -> list[ThemeInfo]:
    """Themes from the codebook (the single source of names and definitions)."""
    from models.codebook import load_codebook

    return [
        ThemeInfo(t.id, t.label, t.definition, tuple(t.includes), tuple(t.excludes))
        for t in load_codebook().themes
    ]


def get_state(request: Request) -> WebState:
    return request.app.state.web


# --------------------------------------------------------------------------- security


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (set as a cookie by the middleware)."""
    return request.state.csrf


async def require_csrf(request: Request) -> None:
    """Every state change must echo the cookie's token in a form field or header."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = str(form.get(CSRF_FIELD, ""))
    if not cookie or not sent or not secrets.compare_digest(cookie, sent):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")


def install_security(app: Any, state: WebState) -> None:
    """Access token (when configured) and the CSRF cookie, on every request."""

    @app.middleware("http")
    async def _security(request: Request, call_next: Any) -> Response:
        set_token_cookie = False
        if state.token:
            sent = (
                request.headers.get("authorization", "").removeprefix("Bearer ").strip()
                or request.cookies.get(TOKEN_COOKIE, "")
                or request.query_params.get("token", "")
            )
            if not sent or not secrets.compare_digest(sent, state.token):
                return HTMLResponse(
                    "<!doctype html><title>credscope</title><p>An access token is required: "
                    "open the link printed by <code>credscope review</code>.</p>",
                    status_code=401,
                )
            if request.query_params.get("token"):
                set_token_cookie = True
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf = csrf
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        )
        if request.cookies.get(CSRF_COOKIE) != csrf:
            response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
        if set_token_cookie and state.token:
            response.set_cookie(TOKEN_COOKIE, state.token, httponly=True, samesite="strict")
        return response


# --------------------------------------------------------------------------- reviewer


def current_reviewer(request: Request) -> str | None:
    state = get_state(request)
    if state.reviewer:
        return state.reviewer
    name = request.cookies.get(REVIEWER_COOKIE, "").strip()
    return clean_name(name) or None


def clean_name(name: str) -> str:
    """A reviewer name: printable, trimmed, at most 80 characters."""
    return "".join(c for c in name if c.isprintable()).strip()[:80]


# --------------------------------------------------------------------------- rendering

templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))  # autoescape on for .html


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    pairs: list[tuple[str, str]] = []
    for k, v in merged.items():
        if v is None or v == "" or v is False:
            continue
        for item in v if isinstance(v, list | tuple) else [v]:
            pairs.append((k, str(item)))
    return urlencode(pairs)


templates.env.globals["query"] = _query


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    state = get_state(request)
    ctx = {
        "request": request,
        "csrf": csrf_token(request),
        "reviewer": current_reviewer(request),
        "fixed_reviewer": state.reviewer is not None,
        "themes": state.themes,
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)

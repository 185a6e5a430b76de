"""Fetch documents over HTTP politely, and keep their bytes on disk for the pipeline.

Every fetched URL has a cache entry under ``<data_dir>/fetched/``: the body (``<key>.<kind>``)
and a JSON sidecar with the URL, ETag, Last-Modified, content type and hash. A later fetch sends
``If-None-Match``/``If-Modified-Since``; a ``304`` answers from the cache. Failures raise
``FetchFailed`` with a short reason (``TransientFetchFailed`` when a retry may help), and the
last good copy on disk is left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from corpus.discover import SUFFIX_KIND
from corpus.errors import FetchFailed
from corpus.types import Kind, SourceFile

USER_AGENT = "credscope/0.1 (policy research on microcredentials; automated, polite refresh)"
DOCUMENT_TYPES: dict[str, Kind] = {
    "application/pdf": "pdf",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
}
PAGE_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
)


class TransientFetchFailed(FetchFailed):
    """A failure a retry may cure: time-out, connection error, HTTP 429 or 5xx."""


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: limits and manners. ``data_dir`` holds the cache of fetched bytes."""

    data_dir: Path
    timeout: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    allowed_types: tuple[str, ...] = tuple(DOCUMENT_TYPES)
    host_delay: float = 1.0  # seconds between two requests to the same host
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    """A response body on disk: ``status`` is ``fetched`` (200) or ``not-modified`` (304)."""

    url: str
    path: Path
    content_type: str
    sha256: str
    size: int
    status: str

    def text(self) -> str:
        data = self.path.read_bytes()
        try:
            return data.decode(_charset(self.content_type) or "utf-8", "replace")
        except LookupError:  # an unknown charset name
            return data.decode("utf-8", "replace")


@dataclass
class Fetcher:
    """One polite HTTP client: per-host delay, conditional GET, size and type limits."""

    settings: FetchSettings
    _client: httpx.Client | None = None
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.settings.timeout),
                follow_redirects=True,
                headers={"User-Agent": self.settings.user_agent},
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def fetch_document(self, url: str) -> SourceFile:
        """Fetch a PDF/HTML/TXT document (or reuse the cached copy on 304) as a ``SourceFile``."""
        got = self.fetch(url, self.settings.allowed_types)
        kind = DOCUMENT_TYPES.get(_mime(got.content_type)) or _kind_from_url(url)
        if kind is None:
            raise FetchFailed(f"{url}: cannot tell the document kind of {got.content_type!r}")
        return SourceFile(
            path=str(got.path),
            uri=url,
            kind=kind,
            sha256=got.sha256,
            size=got.size,
            http_content_type=got.content_type or None,
        )

    def fetch_page(self, url: str) -> Fetched:
        """Fetch a listing page or a feed (HTML, RSS or Atom)."""
        return self.fetch(url, PAGE_TYPES)

    def fetch(self, url: str, allowed_types: tuple[str, ...]) -> Fetched:
        entry = _CacheEntry(self.settings.data_dir, url)
        meta = entry.read_meta()
        headers: dict[str, str] = {}
        if meta and entry.body.is_file():
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        self._wait_turn(url)
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304 and meta and entry.body.is_file():
                    return Fetched(
                        url,
                        entry.body,
                        meta.get("content_type", ""),
                        meta["sha256"],
                        meta["size"],
                        "not-modified",
                    )
                _check_status(url, response.status_code)
                content_type = response.headers.get("content-type", "")
                if _mime(content_type) not in allowed_types:
                    raise FetchFailed(
                        f"{url}: content type {_mime(content_type) or 'unknown'!r} is not allowed"
                    )
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
                    raise FetchFailed(f"{url}: larger than {self.settings.max_bytes} bytes")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.settings.max_bytes:
                        raise FetchFailed(f"{url}: larger than {self.settings.max_bytes} bytes")
                validators = {
                    "etag": response.headers.get("etag"),
                    "last_modified": response.headers.get("last-modified"),
                }
        except httpx.TimeoutException as exc:
            raise TransientFetchFailed(f"{url}: timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TransientFetchFailed(f"{url}: network error ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(f"{url}: HTTP error ({exc})") from exc
        return entry.store(bytes(body), content_type=content_type, **validators)

    def _wait_turn(self, url: str) -> None:
        host = urlparse(url).netloc
        with self._lock:
            wait = self._last.get(host, -1e9) + self.settings.host_delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last[host] = time.monotonic()


class _CacheEntry:
    """``<data_dir>/fetched/<key>.body`` and ``<key>.json``; written atomically, body first."""

    def __init__(self, data_dir: Path, url: str) -> None:
        folder = Path(data_dir) / "fetched"
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        suffix = Path(urlparse(url).path).suffix.lower()
        self.url = url
        self.body = folder / f"{key}{suffix if suffix in SUFFIX_KIND else '.body'}"
        self.meta = folder / f"{key}.json"

    def read_meta(self) -> dict | None:
        try:
            data = json.loads(self.meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("url") == self.url else None

    def store(
        self, body: bytes, *, content_type: str, etag: str | None, last_modified: str | None
    ) -> Fetched:
        self.body.parent.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(body).hexdigest()
        _write_atomic(self.body, body)
        meta = {
            "url": self.url,
            "etag": etag,
            "last_modified": last_modified,
            "content_type": content_type,
            "sha256": sha,
            "size": len(body),
            "fetched_at": time.time(),
        }
        _write_atomic(self.meta, json.dumps(meta).encode("utf-8"))
        return Fetched(self.url, self.body, content_type, sha, len(body), "fetched")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _check_status(url: str, status: int) -> None:
    if status == 429 or status >= 500:
        raise TransientFetchFailed(f"{url}: HTTP {status}")
    if status >= 400:
        raise FetchFailed(f"{url}: HTTP {status}")
    if status != 200:
        raise FetchFailed(f"{url}: unexpected HTTP {status}")


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _kind_from_url(url: str) -> Kind | None:
    return SUFFIX_KIND.get(Path(urlparse(url).path).suffix.lower())

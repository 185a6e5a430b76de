"""Where documents come from: ``credscope.toml`` with ``[[sources]]`` of four kinds.

- ``folder``: local files (``path``, optional ``globs`` matched against paths relative to it);
- ``url``: one document URL;
- ``listing``: an HTML page whose links to documents are followed (``include``/``exclude``
  glob patterns over absolute URLs; default: links ending in .pdf/.html/.htm/.txt);
- ``feed``: an RSS or Atom feed whose entry links (and RSS enclosures) are followed.

Each kind is one function in ``LISTERS`` returning a ``Listing``: files found on disk, URLs
still to fetch, and the scope under which a document no longer listed is retired. Relative
paths in the config are relative to the config file, never to the working directory.
"""

from __future__ import annotations

import fnmatch
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

from corpus.discover import discover
from corpus.fetch import DOCUMENT_TYPES, Fetcher, FetchSettings

DEFAULT_LINK_PATTERNS = ("*.pdf", "*.html", "*.htm", "*.txt")
ATOM = "{http://www.w3.org/2005/Atom}"


class ConfigError(ValueError):
    """A config file that cannot be used; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SourceSpec:
    """One ``[[sources]]`` entry."""

    kind: str
    name: str
    path: Path | None = None  # folder
    globs: tuple[str, ...] = ()  # folder; empty: every document file
    url: str | None = None  # url, listing, feed
    include: tuple[str, ...] = ()  # listing, feed
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    sources: tuple[SourceSpec, ...]
    fetch: FetchSettings
    path: Path | None = None  # the file it was read from


@dataclass
class Listing:
    """What one source lists now."""

    spec: SourceSpec
    files: list = field(default_factory=list)  # list[SourceFile] found on disk
    urls: list[str] = field(default_factory=list)  # documents to fetch
    scope: list[str] = field(default_factory=list)  # URI prefixes it is authoritative for


_SPEC_KEYS = {
    "folder": {"kind", "name", "path", "globs"},
    "url": {"kind", "name", "url"},
    "listing": {"kind", "name", "url", "include", "exclude"},
    "feed": {"kind", "name", "url", "include", "exclude"},
}
_FETCH_KEYS = {"data_dir", "timeout", "max_bytes", "allowed_types", "host_delay", "user_agent"}


def load_config(path: str | Path) -> Config:
    """Read and check ``credscope.toml``; unknown kinds or keys are errors."""
    path = Path(path).expanduser().resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return parse_config(data, base=path.parent, path=path)


def parse_config(data: dict, *, base: Path, path: Path | None = None) -> Config:
    fetch = dict(data.get("fetch") or {})
    unknown = set(fetch) - _FETCH_KEYS
    if unknown:
        raise ConfigError(f"unknown [fetch] keys: {', '.join(sorted(unknown))}")
    data_dir = base / str(fetch.pop("data_dir", ".credscope"))
    if "allowed_types" in fetch:
        fetch["allowed_types"] = tuple(fetch["allowed_types"])
    settings = FetchSettings(data_dir=data_dir, **fetch)
    specs = [_spec(entry, i, base) for i, entry in enumerate(data.get("sources") or [])]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ConfigError("two sources have the same name")
    return Config(tuple(specs), settings, path)


def _spec(entry: dict, index: int, base: Path) -> SourceSpec:
    kind = entry.get("kind")
    if kind not in LISTERS:
        raise ConfigError(f"source {index + 1}: kind must be one of {', '.join(LISTERS)}")
    unknown = set(entry) - _SPEC_KEYS[kind]
    if unknown:
        raise ConfigError(f"source {index + 1} ({kind}): unknown keys {', '.join(sorted(unknown))}")
    if kind == "folder":
        if not entry.get("path"):
            raise ConfigError(f"source {index + 1}: a folder needs a path")
        folder = (base / str(entry["path"])).resolve()
        return SourceSpec(
            kind,
            entry.get("name") or folder.name,
            path=folder,
            globs=tuple(entry.get("globs") or ()),
        )
    url = str(entry.get("url") or "")
    if urlparse(url).scheme not in ("http", "https"):
        raise ConfigError(f"source {index + 1} ({kind}): url must be http(s)")
    return SourceSpec(
        kind,
        entry.get("name") or url,
        url=url,
        include=tuple(entry.get("include") or ()),
        exclude=tuple(entry.get("exclude") or ()),
    )


# ----------------------------------------------------------------------------- listers


def list_folder(spec: SourceSpec, _fetcher: Fetcher | None = None) -> Listing:
    """Documents under a folder (optionally only those matching ``globs``)."""
    assert spec.path is not None
    files = discover([spec.path])
    if spec.globs:
        files = [f for f in files if _matches_glob(Path(f.path), spec.path, spec.globs)]
    return Listing(spec, files=files, scope=[spec.path.as_uri() + "/"])


def _matches_glob(file: Path, root: Path, globs: tuple[str, ...]) -> bool:
    rel = file.relative_to(root).as_posix()
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(file.name, g) for g in globs)


def list_url(spec: SourceSpec, _fetcher: Fetcher | None = None) -> Listing:
    assert spec.url is not None
    return Listing(spec, urls=[spec.url], scope=[spec.url])


def list_listing(spec: SourceSpec, fetcher: Fetcher) -> Listing:
    """Links of an HTML page that point at documents (after include/exclude)."""
    assert spec.url is not None
    page = fetcher.fetch_page(spec.url)
    parser = _LinkParser()
    parser.feed(page.text())
    links = [urljoin(spec.url, href) for href in parser.links]
    urls = select_links(links, spec)
    return Listing(spec, urls=urls, scope=[origin(spec.url)])


def list_feed(spec: SourceSpec, fetcher: Fetcher) -> Listing:
    """Entry links of an RSS 2.0 or Atom feed (after include/exclude)."""
    assert spec.url is not None
    page = fetcher.fetch_page(spec.url)
    try:
        root = ET.fromstring(page.path.read_bytes())
    except ET.ParseError as exc:
        from corpus.errors import FetchFailed

        raise FetchFailed(f"{spec.url}: not a readable RSS/Atom feed ({exc})") from exc
    urls = select_links(
        [urljoin(spec.url, link) for link in feed_links(root)], spec, default=("*",)
    )
    return Listing(spec, urls=urls, scope=[origin(spec.url)])


LISTERS: dict[str, Callable[..., Listing]] = {
    "folder": list_folder,
    "url": list_url,
    "listing": list_listing,
    "feed": list_feed,
}
NETWORK_KINDS = frozenset({"url", "listing", "feed"})


def list_source(spec: SourceSpec, fetcher: Fetcher) -> Listing:
    """What the source lists now; raises ``FetchFailed`` when its page cannot be had."""
    return LISTERS[spec.kind](spec, fetcher)


def feed_links(root: ET.Element) -> list[str]:
    links: list[str] = []
    for item in root.iter("item"):  # RSS 2.0
        link = item.findtext("link")
        if link and link.strip():
            links.append(link.strip())
        for enclosure in item.findall("enclosure"):
            if enclosure.get("url") and enclosure.get("type", "") in DOCUMENT_TYPES:
                links.append(enclosure.get("url", ""))
    for entry in root.iter(f"{ATOM}entry"):
        for link in entry.findall(f"{ATOM}link"):
            if link.get("href") and link.get("rel", "alternate") in ("alternate", "enclosure"):
                links.append(link.get("href", ""))
    return links


def select_links(
    links: list[str], spec: SourceSpec, default: tuple[str, ...] = DEFAULT_LINK_PATTERNS
) -> list[str]:
    """Absolute http(s) links without fragments, matching include and not exclude, deduplicated."""
    include = spec.include or default
    seen: dict[str, None] = {}
    for link in links:
        url = urldefrag(link)[0]
        if urlparse(url).scheme not in ("http", "https") or url == spec.url:
            continue
        path = urlparse(url).path.lower()
        if not any(fnmatch.fnmatch(url, p) or fnmatch.fnmatch(path, p) for p in include):
            continue
        if any(fnmatch.fnmatch(url, p) or fnmatch.fnmatch(path, p) for p in spec.exclude):
            continue
        seen.setdefault(url)
    return list(seen)


def origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}/"


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href.strip())

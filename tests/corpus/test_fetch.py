"""Fetching from a fixture site on 127.0.0.1 that changes between runs: conditional GET,
limits, listing pages and feeds, and what a refresh keeps when a document disappears."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixture_site import Site, serve_site

from corpus.errors import FetchFailed
from corpus.fetch import USER_AGENT, Fetcher, FetchSettings, TransientFetchFailed
from corpus.sources import SourceSpec, list_source, parse_config

REPORT = (
    "<html><head><title>Report</title></head><body><h1>Micro-credentials</h1>"
    + (
        "<p>Micro-credentials certify the learning outcomes of short courses and need "
        "quality assurance and recognition by employers across Europe.</p>" * 3
    )
    + "</body></html>"
)


@pytest.fixture()
def site() -> Iterator[Site]:
    with serve_site() as s:
        yield s


@pytest.fixture()
def fetcher(tmp_path: Path) -> Iterator[Fetcher]:
    f = Fetcher(
        FetchSettings(data_dir=tmp_path / "data", timeout=2.0, host_delay=0.0, max_bytes=10_000)
    )
    yield f
    f.close()


def test_conditional_get_answers_from_the_cache(site: Site, fetcher: Fetcher) -> None:
    url = site.put("/docs/report.html", REPORT)
    first = fetcher.fetch_document(url)
    again = fetcher.fetch_document(url)
    assert site.not_modified["/docs/report.html"] == 1
    assert (again.sha256, again.path, again.kind) == (first.sha256, first.path, "html")
    assert Path(first.path).read_text(encoding="utf-8") == REPORT
    assert first.http_content_type.startswith("text/html")
    assert site.agents[0] == USER_AGENT

    site.put("/docs/report.html", REPORT.replace("Europe", "the Union"))
    changed = fetcher.fetch_document(url)
    assert changed.sha256 != first.sha256 and changed.path == first.path
    assert "the Union" in Path(changed.path).read_text(encoding="utf-8")


def test_404_raises_and_keeps_the_last_good_copy(site: Site, fetcher: Fetcher) -> None:
    url = site.put("/docs/gone.txt", "A short text about micro-credentials.", "text/plain")
    good = fetcher.fetch_document(url)
    del site.pages["/docs/gone.txt"]
    with pytest.raises(FetchFailed, match="HTTP 404") as err:
        fetcher.fetch_document(url)
    assert not isinstance(err.value, TransientFetchFailed)  # no point retrying a 404
    assert Path(good.path).read_text(encoding="utf-8").startswith("A short text")


def test_limits_size_type_and_time(site: Site, fetcher: Fetcher) -> None:
    big = site.put("/big.pdf", b"%PDF-1.4\n" + b"0" * 20_000, "application/pdf")
    with pytest.raises(FetchFailed, match="larger than 10000 bytes"):
        fetcher.fetch_document(big)
    image = site.put("/logo.png", b"\x89PNG....", "image/png")
    with pytest.raises(FetchFailed, match="content type 'image/png' is not allowed"):
        fetcher.fetch_document(image)
    slow = site.put("/slow.html", REPORT, delay=4.0)
    with pytest.raises(TransientFetchFailed, match="timed out"):
        fetcher.fetch_document(slow)
    error = site.put("/error.html", "oops", status=503)
    with pytest.raises(TransientFetchFailed, match="HTTP 503"):
        fetcher.fetch_document(error)


def test_per_host_delay(site: Site, tmp_path: Path) -> None:
    import time

    url = site.put("/a.txt", "text", "text/plain")
    polite = Fetcher(FetchSettings(data_dir=tmp_path, host_delay=0.5))
    started = time.perf_counter()
    for _ in range(3):
        polite.fetch_document(url)
    polite.close()
    assert time.perf_counter() - started >= 1.0


def test_listing_page_links_are_followed_with_patterns(site: Site, fetcher: Fetcher) -> None:
    site.put(
        "/publications",
        """<html><body>
        <a href="/docs/a.pdf">A</a> <a href="docs/b.html#part-2">B</a>
        <a href="https://elsewhere.example/c.pdf">C</a> <a href="/docs/flyer.pdf">flyer</a>
        <a href="/about">about</a> <a href="mailto:x@y.z">mail</a>
        <a href="/docs/a.pdf">A again</a></body></html>""",
    )
    spec = SourceSpec("listing", "pubs", url=site.url("/publications"), exclude=("*flyer*",))
    listing = list_source(spec, fetcher)
    assert listing.urls == [
        site.url("/docs/a.pdf"),
        site.url("/docs/b.html"),
        "https://elsewhere.example/c.pdf",
    ]
    assert listing.scope == [site.url("/")]
    only_local = SourceSpec(
        "listing", "pubs", url=site.url("/publications"), include=(f"{site.base}/docs/*.pdf",)
    )
    assert list_source(only_local, fetcher).urls == [
        site.url("/docs/a.pdf"),
        site.url("/docs/flyer.pdf"),
    ]


def test_rss_and_atom_feeds(site: Site, fetcher: Fetcher) -> None:
    site.put(
        "/rss.xml",
        f"""<?xml version="1.0"?><rss version="2.0"><channel>
        <item><title>News</title><link>{site.url("/news/1.html")}</link></item>
        <item><title>Paper</title><link>{site.url("/news/2.html")}</link>
          <enclosure url="{site.url("/papers/2.pdf")}" type="application/pdf" length="1"/></item>
        </channel></rss>""",
        "application/rss+xml",
    )
    site.put(
        "/atom.xml",
        """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
        <entry><title>One</title><link href="/atom/one.html"/></entry>
        <entry><title>Two</title><link rel="alternate" href="/atom/two.pdf"/>
          <link rel="related" href="/atom/unrelated.html"/></entry></feed>""",
        "application/atom+xml",
    )
    rss = list_source(SourceSpec("feed", "rss", url=site.url("/rss.xml")), fetcher)
    assert rss.urls == [
        site.url("/news/1.html"),
        site.url("/news/2.html"),
        site.url("/papers/2.pdf"),
    ]
    atom = list_source(SourceSpec("feed", "atom", url=site.url("/atom.xml")), fetcher)
    assert atom.urls == [site.url("/atom/one.html"), site.url("/atom/two.pdf")]
    site.put("/broken.xml", "<rss><channel><item>", "application/rss+xml")
    with pytest.raises(FetchFailed, match="not a readable RSS/Atom feed"):
        list_source(SourceSpec("feed", "broken", url=site.url("/broken.xml")), fetcher)


def test_refresh_from_the_site_keeps_last_good_and_retires_unlisted(
    site: Site, tmp_path: Path
) -> None:
    """Run 1: a listing with two documents. Run 2: one of them answers 404 (kept, failed),
    the other is no longer listed (retired); a new one appears (new)."""
    from flows.pipeline import run_plain
    from store.connect import connect
    from store.query import list_documents

    first = REPORT.replace("Report", "First")
    site.put("/docs/one.html", first)
    site.put("/docs/two.html", REPORT.replace("Report", "Second").replace("short", "brief"))
    site.put("/pubs", '<a href="/docs/one.html">1</a> <a href="/docs/two.html">2</a>')
    config = parse_config(
        {
            "fetch": {"host_delay": 0, "timeout": 5},
            "sources": [{"kind": "listing", "name": "pubs", "url": site.url("/pubs")}],
        },
        base=tmp_path,
    )
    db = f"sqlite:///{tmp_path / 'store.db'}"
    one = run_plain(None, db, config=config)
    assert (one.counts["new"], one.counts["failed"]) == (2, 0)

    del site.pages["/docs/one.html"]
    site.put(
        "/docs/three.txt",
        "Micro-credentials for adult learners in Finland and Estonia.",
        "text/plain",
    )
    site.put("/pubs", '<a href="/docs/one.html">1</a> <a href="/docs/three.txt">3</a>')
    two = run_plain(None, db, config=config)
    assert (two.counts["new"], two.counts["failed"], two.counts["retired"]) == (1, 1, 1)
    assert "HTTP 404" in two.failed[0][1]
    docs = {Path(d.source).name: d for d in list_documents(connect(db), include_retired=True)}
    assert docs["one.html"].status == "failed" and docs["one.html"].n_passages > 0
    assert not docs["one.html"].retired  # last good passages still served
    assert docs["two.html"].retired and docs["three.txt"].status == "ok"

    del site.pages["/pubs"]  # the listing itself fails: nothing retired, run completes
    three = run_plain(None, db, config=config)
    assert three.source_errors and three.counts["retired"] == 0
    assert not any(
        d.retired
        for d in list_documents(connect(db), include_retired=True)
        if Path(d.source).name in ("one.html", "three.txt")
    )

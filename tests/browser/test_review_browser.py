"""The review app in headless Chromium (Debian's, never a downloaded browser): keyboard-only
review of 50 passages, undo, a matrix cell, inert XSS. Screenshots go to ``screenshots/``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
EVIL = (
    'Sweden <script>window.__xss = 1; alert("xss")</script> <img src=x '
    'onerror="window.__xss = 2"> employers trust <b>badges</b>.'
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _evil_document():  # noqa: ANN202
    from corpus.ids import content_hash, passage_id
    from corpus.types import Passage, SourceFile
    from store.types import LabelRecord, ProcessedDocument

    h = content_hash(EVIL)
    pid = passage_id("evil", h)
    src = SourceFile(
        path="/e.html",
        uri="file:///e.html",
        kind="html",
        sha256="e",
        size=1,
        title='<script>window.__xss = 3</script>Evil "title"',
    )
    labels = [
        LabelRecord(pid, "theme", "trust", "model", 0.9, True, "v-sample", ["<i>x</i>"]),
        LabelRecord(pid, "country", "SE", "rule", evidence=[[0, 6, "Sweden"]]),
    ]
    return ProcessedDocument(
        source=src,
        document_id="evil",
        pipeline_version="p",
        passages=[Passage(pid, "evil", h, 0, 1, 0, len(EVIL), EVIL)],
        labels=labels,
        n_pages=1,
    ), pid


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    import uvicorn

    from app.web import create_app
    from app.web.sample import build_sample_store
    from store.connect import connect
    from store.write import write_document

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'store.db'}"
    build_sample_store(url, limit=80)
    doc, evil_pid = _evil_document()
    write_document(connect(url), doc)
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", url + "|" + evil_pid
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server: tuple[str, str]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1360, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(15000)
        yield pg
        context.close()
        browser.close()


def _decided(db: str) -> dict:
    from store.connect import connect
    from store.review import effective_decisions

    return effective_decisions(connect(db))


def test_keyboard_review_of_50_passages_and_undo(server: tuple[str, str], page) -> None:  # noqa: ANN001
    base, extra = server
    db = extra.split("|")[0]
    page.goto(f"{base}/review")
    page.fill("input[name=name]", "alice")
    page.keyboard.press("Enter")
    page.wait_for_selector("#decide")
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)
    page.keyboard.press("?")
    assert page.is_visible("dialog#keys")
    page.screenshot(path=str(SHOTS / "review-keys.png"))
    page.keyboard.press("Escape")
    assert not page.is_visible("dialog#keys")

    seen: list[str] = []
    toggled_first: dict[str, bool] = {}
    for i in range(50):
        pid = page.get_attribute("input[name=passage_id]", "value")
        assert pid and pid not in seen
        seen.append(pid)
        before = page.is_checked("label.theme[data-key='1'] input")
        if i % 3 == 0:
            page.keyboard.press("1")  # toggle trust
            assert page.is_checked("label.theme[data-key='1'] input") != before
        toggled_first[pid] = (not before) if i % 3 == 0 else before
        with page.expect_navigation():
            page.keyboard.press("Enter")
    decided = _decided(db)
    assert len(decided) >= 50
    assert "50 / " in page.inner_text(".progress-label")

    with page.expect_navigation():
        page.keyboard.press("Backspace")
    assert f"passage={seen[-1]}" in page.url  # the undone passage reopens
    assert len(_decided(db)) == len(decided) - 1
    page.screenshot(path=str(SHOTS / "review-after-undo.png"), full_page=True)

    # what was stored is what the keys said: theme 1 (trust) per passage
    from store.connect import connect
    from store.review import passage_context

    engine = connect(db)
    now = _decided(db)
    for pid in seen[:-1]:
        ctx = passage_context(engine, pid)
        assert now[ctx.content_hash][("theme", "trust")] == (
            "accept" if toggled_first[pid] else "reject"
        )


def test_matrix_cell_opens_its_passages(server: tuple[str, str], page) -> None:  # noqa: ANN001
    base, _ = server
    page.goto(f"{base}/matrix")
    page.screenshot(path=str(SHOTS / "matrix.png"), full_page=True)
    cell = page.locator("a[data-cell]").first
    theme, country = cell.get_attribute("data-cell").split("|")
    n = int(cell.inner_text())
    with page.expect_navigation():
        cell.click()
    assert f"theme={theme}" in page.url and f"country={country}" in page.url
    assert page.inner_text("p.count strong") == str(n)
    page.screenshot(path=str(SHOTS / "findings-cell.png"), full_page=True)
    page.goto(f"{base}/findings")
    page.screenshot(path=str(SHOTS / "findings.png"), full_page=True)
    page.goto(f"{base}/queue")
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)
    page.goto(f"{base}/agreement")
    page.screenshot(path=str(SHOTS / "agreement.png"), full_page=True)


def test_xss_stays_inert(server: tuple[str, str], page) -> None:  # noqa: ANN001
    base, extra = server
    evil_pid = extra.split("|")[1]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{base}/review?passage={evil_pid}")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss === undefined")
    assert dialogs == []
    text = page.inner_text("#passage-text")
    assert "<script>" in text and "<b>badges</b>" in text  # shown as text, not run
    assert page.locator("#passage-text mark.tag-country").count() == 1
    assert "<script>" in page.inner_text("h1.doc-title")
    page.screenshot(path=str(SHOTS / "review-xss.png"), full_page=True)
    page.goto(f"{base}/findings?q=badges")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss === undefined") and dialogs == []

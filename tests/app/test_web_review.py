"""The review web app through FastAPI's TestClient: decisions, undo, CSRF, token, escaping."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.commands.review import is_loopback
from app.web import create_app
from app.web.render import Span, highlight
from corpus.ids import content_hash, passage_id
from corpus.types import Passage, SourceFile
from store.connect import connect
from store.review import effective_decisions
from store.types import LabelRecord, ProcessedDocument
from store.write import write_document

EVIL = 'Sweden <script>alert("x")</script> <img src=x onerror=alert(1)> & "quotes" trust badges.'
TEXTS = [EVIL, "Employers in Finland value stackable modules.", "A plain third passage."]


def _store(url: str) -> None:
    ps, lab, pos = [], [], 0
    for i, t in enumerate(TEXTS):
        h = content_hash(t)
        pid = passage_id("doc-x", h)
        ps.append(Passage(pid, "doc-x", h, i, i + 1, pos, pos + len(t), t))
        pos += len(t) + 2
        for theme, s in {
            "trust": 0.4 + 0.2 * i,
            "naming": 0.1,
            "modularisation": 0.3,
            "recognition": 0.05,
        }.items():
            lab.append(
                LabelRecord(pid, "theme", theme, "model", s, s >= 0.5, "m-test", ["<b>bold</b>"])
            )
    lab.append(
        LabelRecord(
            ps[0].passage_id,
            "country",
            "SE",
            "rule",
            model_version="tagger-1",
            evidence=[[0, 6, "Sweden"]],
        )
    )
    lab.append(
        LabelRecord(
            ps[1].passage_id,
            "country",
            "FI",
            "rule",
            model_version="tagger-1",
            evidence=[[13, 20, "Finland"]],
        )
    )
    src = SourceFile(
        path="/c/x.pdf",
        uri="file:///c/x.pdf",
        kind="pdf",
        sha256="s1",
        size=1,
        title='Report <i>"Micro"</i>',
    )
    write_document(
        connect(url),
        ProcessedDocument(
            source=src,
            document_id="doc-x",
            pipeline_version="p",
            passages=ps,
            labels=lab,
            n_pages=3,
        ),
    )


@pytest.fixture()
def client(sqlite_url: str) -> TestClient:
    _store(sqlite_url)
    return TestClient(create_app(sqlite_url, reviewer="alice"))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _pid(html: str) -> str:
    return re.search(r'name="passage_id" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_review_screen_shows_provenance_scores_and_definitions(client: TestClient) -> None:
    r = client.get("/review")
    assert r.status_code == 200
    html = r.text
    assert re.search(r"file:///c/x.pdf#page=\d", html)  # source link to the page
    assert "m-test" in html  # the model version that made the suggestions
    assert "credibility" in html  # codebook definition of trust in view
    assert 'data-key="4"' in html and "0 / 3 reviewed" in html


def test_decide_stores_one_row_per_label_and_moves_on(client: TestClient, sqlite_url: str) -> None:
    html = client.get("/review").text
    first = _pid(html)
    r = client.post(
        "/review/decide",
        data={
            "csrf_token": _csrf(html),
            "passage_id": first,
            "theme": ["trust", "naming"],
            "country": ["SE"],
            "country_add": "no",
            "sector_add": "P",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    decided = effective_decisions(connect(sqlite_url))
    [(h, d)] = decided.items()
    assert d[("theme", "trust")] == "accept" and d[("theme", "naming")] == "accept"
    assert d[("theme", "recognition")] == "reject"
    assert d[("country", "NO")] == "accept" and d[("sector", "P")] == "accept"
    nxt = client.get(r.headers["location"]).text
    assert _pid(nxt) != first and "1 / 3 reviewed" in nxt
    # undo reopens it
    r = client.post("/review/undo", data={"csrf_token": _csrf(nxt)}, follow_redirects=False)
    assert r.status_code == 303 and f"passage={first}" in r.headers["location"]
    assert effective_decisions(connect(sqlite_url)) == {}


def test_bad_codes_are_refused(client: TestClient) -> None:
    html = client.get("/review").text
    r = client.post(
        "/review/decide",
        data={"csrf_token": _csrf(html), "passage_id": _pid(html), "country_add": "<x>"},
    )
    assert r.status_code == 400 and "&lt;X&gt;" in r.text


def test_post_without_csrf_token_is_rejected(client: TestClient, sqlite_url: str) -> None:
    html = client.get("/review").text
    pid = _pid(html)
    assert client.post("/review/decide", data={"passage_id": pid}).status_code == 403
    assert (
        client.post("/review/decide", data={"passage_id": pid, "csrf_token": "forged"}).status_code
        == 403
    )
    assert client.post("/review/undo").status_code == 403
    assert client.post("/api/review/decide", json={"passage_id": pid}).status_code == 403
    other = TestClient(client.app)  # another browser: its own cookie, so our token is useless
    assert (
        other.post(
            "/review/decide", data={"passage_id": pid, "csrf_token": _csrf(html)}
        ).status_code
        == 403
    )
    assert effective_decisions(connect(sqlite_url)) == {}
    ok = client.post(
        "/api/review/decide",
        json={"passage_id": pid, "themes": ["trust"]},
        headers={"X-CSRF-Token": _csrf(html)},
    )
    assert ok.status_code == 200 and ok.json()["rows"] == 4


def test_token_required_when_configured(sqlite_url: str) -> None:
    _store(sqlite_url)
    c = TestClient(create_app(sqlite_url, token="s3cret", reviewer="alice"))
    assert c.get("/review").status_code == 401
    assert c.get("/api/review").status_code == 401
    assert c.get("/review", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/review", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert c.get("/review?token=s3cret").status_code == 200
    assert c.get("/findings").status_code == 200  # the cookie set from the link


def test_non_loopback_bind_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    monkeypatch.delenv("CREDSCOPE_REVIEW_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["review", "--host", "0.0.0.0", "--db", "sqlite://"])
    assert result.exit_code == 2 and "CREDSCOPE_REVIEW_TOKEN" in result.output


def test_passage_text_and_titles_are_escaped(client: TestClient) -> None:
    evil = f"/review?passage={passage_id('doc-x', content_hash(EVIL))}"
    api = client.get(evil.replace("/review", "/api/review"))
    assert api.headers["content-type"] == "application/json"  # data, never HTML
    assert api.headers["x-content-type-options"] == "nosniff"
    for path in (evil, "/review", "/findings", "/findings?q=script", "/matrix", "/queue"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<b>bold</b>" not in html and "<i>" not in html
    html = client.get(evil).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert '<mark class="tag tag-country" data-code="SE"' in html  # the span, still highlighted
    assert "default-src 'self'" in client.get("/review").headers["content-security-policy"]


def test_highlight_escapes_then_wraps() -> None:
    out = highlight(
        "<b>Sweden</b> & Norway",
        [Span(3, 9, "country", "SE"), Span(16, 22, "country", "NO"), Span(4, 8, "country", "XX")],
    )  # overlap: dropped
    assert str(out).startswith("&lt;b&gt;<mark")
    assert "Sweden<sup>SE</sup></mark>&lt;/b&gt; &amp; <mark" in str(out)
    assert "XX" not in str(out)
    assert str(highlight("a<b", [Span(0, 99, "country", "SE")])) == "a&lt;b"


def test_findings_matrix_agreement_and_downloads(client: TestClient) -> None:
    html = client.get("/review").text
    client.post(
        "/review/decide",
        data={
            "csrf_token": _csrf(html),
            "passage_id": _pid(html),
            "theme": ["recognition"],
            "country": ["SE"],
        },
    )
    m = client.get("/matrix").text
    assert "theme=recognition" in m and "country=SE" in m
    f = client.get("/findings?theme=recognition&country=SE&reviewed=1").text
    assert "1</strong> passage" in f
    csv = client.get("/findings.csv?theme=recognition")
    assert csv.status_code == 200 and "recognition" in csv.text
    xlsx = client.get("/findings.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/agreement").status_code == 200
    assert client.get("/api/agreement").json()["rows"][0]["b"] == "model"
    q = client.get("/queue")
    assert q.status_code == 200 and "most uncertain first" in q.text

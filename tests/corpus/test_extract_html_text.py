"""HTML (trafilatura, charset, furniture) and plain text (encodings, CRLF, form feeds)."""

from __future__ import annotations

from corpus.extract import extract_file, extraction_to_text

PAGE = """<!DOCTYPE html><html><head>{meta}<title>Funding short courses | Site</title>
<meta property="og:title" content="Funding short courses">
<meta property="article:published_time" content="2024-05-02"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all</div>
<article><h1>Funding short courses</h1>
<p class="date-line">Published: 2 May 2024</p>
<p>The ministry will fund short courses for adults who want to change careers in {city}.</p>
<p>Providers must publish learning outcomes and the workload of each course in ECTS.</p>
<div class="related"><h3>Read more</h3><ul><li><a href="/x">Other story</a></li></ul></div>
<p>Applications open in the autumn and close at the end of the year.</p>
</article>
<div class="share">Share this: Facebook | X | LinkedIn</div>
<div id="comments"><h3>2 comments</h3><div class="comment"><p>Great news, thanks!</p></div></div>
<footer>Copyright 2024 Example</footer></body></html>"""


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_html_body_only(tmp_path):
    html = PAGE.format(meta='<meta charset="utf-8">', city="Zürich")
    ex = extract_file(write(tmp_path, "a.html", html.encode("utf-8")))
    assert ex.kind == "html" and ex.n_pages == 1
    assert ex.title == "Funding short courses"
    assert ex.date == "2024-05-02"
    texts = ex.paragraph_texts()
    assert texts[0].startswith("The ministry will fund") and "Zürich" in texts[0]
    assert texts[-1].startswith("Applications open")
    for junk in ("cookies", "Great news", "Share this", "Read more", "Copyright", "Published"):
        assert junk not in ex.text
    assert extraction_to_text(ex).startswith("Funding short courses\n\n")


def test_html_charset_from_meta_and_header(tmp_path):
    html = PAGE.format(meta='<meta charset="windows-1252">', city="Málaga – Córdoba")
    data = html.encode("cp1252")
    ex = extract_file(write(tmp_path, "b.html", data))
    assert "Málaga – Córdoba" in ex.text
    plain = PAGE.format(meta="", city="Málaga")
    ex2 = extract_file(
        write(tmp_path, "c.html", plain.encode("latin-1")),
        content_type="text/html; charset=ISO-8859-1",
    )
    assert "Málaga" in ex2.text


def test_text_encodings_crlf_and_form_feeds(tmp_path):
    body = (
        "A title line\r\n2021\r\n\r\nFirst para line one\r\nline two.\r\n\r\n"
        "Second para.\fThird on page two."
    )
    for enc in ("utf-8", "cp1252", "latin-1"):
        text = body.replace("First", "Fírst café")
        ex = extract_file(write(tmp_path, f"t-{enc}.txt", text.encode(enc)))
        assert ex.title == "A title line" and ex.date == "2021"
        assert ex.paragraph_texts() == [
            "Fírst café para line one line two.",
            "Second para.",
            "Third on page two.",
        ]
        assert [p.page for p in ex.paragraphs] == [1, 1, 2]
        assert ex.n_pages == 2


def test_normalisation(tmp_path):
    text = "Title\n\nThe of\ufb01ce uses soft\u00adhyphens and non\u00a0breaking spaces."
    ex = extract_file(write(tmp_path, "n.txt", text.encode("utf-8")))
    assert ex.paragraph_texts() == ["The office uses softhyphens and non breaking spaces."]

"""Fixtures for extraction tests: PDFs generated with reportlab, one per layout case and
one per bad input. Real PDFs, no mocks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

W, H = A4
LEFT, RIGHT = 72, W - 72
BODY = 10.0
LEAD = 13.5

LOREM = [
    "qualification",
    "framework",
    "learners",
    "employers",
    "providers",
    "recognition",
    "validation",
    "quality",
    "assurance",
    "credits",
    "modules",
    "transparency",
    "labour",
    "market",
    "skills",
    "training",
    "courses",
    "evidence",
    "institutions",
    "stackable",
    "digital",
    "badges",
    "outcomes",
    "assessment",
    "mobility",
    "portability",
    "lifelong",
    "learning",
    "education",
    "vocational",
    "partners",
    "agencies",
    "regional",
    "national",
    "european",
]


def sentences(seed: int, n: int) -> str:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rnd.choice(LOREM) for _ in range(rnd.randint(8, 16))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def wrap(c: canvas.Canvas, text: str, width: float, font: str = "Times-Roman", size=BODY):
    """Greedy line breaking: list of lines that fit ``width``."""
    lines, cur = [], ""
    for word in text.split():
        trial = f"{cur} {word}".strip()
        if c.stringWidth(trial, font, size) <= width:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def draw_lines(c, lines, x, y, font="Times-Roman", size=BODY, lead=LEAD):
    c.setFont(font, size)
    for line in lines:
        c.drawString(x, y, line)
        y -= lead
    return y


def running_furniture(c, number: int, total: int) -> None:
    c.setFont("Times-Italic", 8.5)
    c.drawString(LEFT, H - 40, "Microcredentials Review 2024    credscope test report")
    c.setFont("Times-Roman", 8.5)
    c.drawRightString(RIGHT, 30, f"Page {number} of {total}")


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdfs")


@pytest.fixture(scope="session")
def layout_pdf(pdf_dir) -> tuple[Path, dict]:
    """Three pages: running heads and 'Page N of M', headings, body paragraphs with a
    word hyphenated at a line end and a real compound broken at a line end, a superscript
    footnote marker with its footnote, a caption, a ruled table, and a paragraph that
    runs on from page 2 to page 3 mid-sentence."""
    runon = sentences(99, 4)
    words = runon.split()
    cut = len(words) // 2
    first = " ".join(words[:cut])
    second = " ".join(words[cut:])
    return _with_runon(
        pdf_dir / "layout.pdf", {"runon": runon, "runon_first": first, "runon_second": second}
    )


HEADINGS = ["Why short courses matter", "Recognition in practice", "What comes next"]
FOOTNOTES = [
    "Consultation responses are summarised, not quoted.",
    "See the staff working document accompanying the proposal.",
    "Figures are illustrative and rounded.",
]


def _with_runon(path: Path, expect: dict) -> tuple[Path, dict]:
    c = canvas.Canvas(str(path), pagesize=A4)
    total = 3
    expect2: dict = {"paragraphs": [], "headings": [], "runon": expect["runon"]}
    for n in range(1, total + 1):
        running_furniture(c, n, total)
        y = H - 100
        if n == total:
            c.setFont("Times-Roman", BODY)
            y = draw_lines(c, wrap(c, expect["runon_second"], RIGHT - LEFT), LEFT, y)
            y -= 2 * LEAD
        heading = HEADINGS[n - 1]
        c.setFont("Times-Bold", 16)
        c.drawString(LEFT, y, heading)
        expect2["headings"].append(heading)
        y -= 34
        para = sentences(n, 5)
        y = draw_lines(c, wrap(c, para, RIGHT - LEFT), LEFT, y)
        expect2["paragraphs"].append(para)
        y -= LEAD
        c.setFont("Times-Roman", BODY)
        c.drawString(LEFT, y, "Learners value the new qualifi-")
        y -= LEAD
        c.drawString(LEFT, y, "cations because they offer short-")
        y -= LEAD
        c.drawString(LEFT, y, "term routes into work.")
        c.setFont("Times-Roman", 6)
        c.drawString(
            LEFT + c.stringWidth("term routes into work.", "Times-Roman", BODY), y + 4, "1"
        )
        expect2["paragraphs"].append(
            "Learners value the new qualifications because they offer short-term routes into work."
        )
        y -= 2 * LEAD
        if n == 2:
            c.setFont("Times-Bold", 8.5)
            c.drawString(LEFT, y, "Table 1. Courses by country (illustrative)")
            y -= 8
            rows = [["Country", "2022", "2023"], ["DK", "12", "15"], ["FI", "30", "41"]]
            top = y
            for row in rows:
                c.setFont("Times-Roman", 8.5)
                for k, cell in enumerate(row):
                    c.drawString(LEFT + 6 + 90 * k, y - 12, cell)
                y -= 16
            for r in range(len(rows) + 1):
                c.line(LEFT, top - 16 * r, LEFT + 270, top - 16 * r)
            for k in range(4):
                c.line(LEFT + 90 * k, top, LEFT + 90 * k, y)
        if n == total - 1:
            c.setFont("Times-Roman", BODY)
            draw_lines(c, wrap(c, expect["runon_first"], RIGHT - LEFT), LEFT, 150)
        c.line(LEFT, 78, LEFT + 100, 78)
        c.setFont("Times-Roman", 6)
        c.drawString(LEFT, 68, "1")
        c.setFont("Times-Roman", 7.5)
        c.drawString(LEFT + 5, 65, FOOTNOTES[n - 1])
        c.showPage()
    c.save()
    return path, expect2


@pytest.fixture(scope="session")
def two_column_pdf(pdf_dir) -> tuple[Path, list[str]]:
    """A full-width heading over two justified-looking columns, with paragraphs that
    continue from the left column into the right one."""
    path = pdf_dir / "two_columns.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Times-Bold", 16)
    c.drawString(LEFT, H - 90, "Two columns of text")
    col_w = (RIGHT - LEFT - 18) / 2
    text = sentences(7, 9) + " " + sentences(8, 9)
    lines = wrap(c, text, col_w)
    half = (len(lines) + 1) // 2
    draw_lines(c, lines[:half], LEFT, H - 130)
    draw_lines(c, lines[half:], LEFT + col_w + 18, H - 130)
    c.showPage()
    c.save()
    return path, [text]


@pytest.fixture(scope="session")
def contents_pdf(pdf_dir) -> Path:
    """A title page, a dotted table of contents and one body page."""
    path = pdf_dir / "contents.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Times-Bold", 24)
    c.drawString(80, H - 120, "A report on micro-credentials")
    c.setFont("Times-Roman", 13)
    c.drawString(80, H - 200, "Prepared by the test agency, 2024")
    c.showPage()
    c.setFont("Times-Bold", 16)
    c.drawString(LEFT, H - 90, "Contents")
    c.setFont("Times-Roman", BODY)
    for i, name in enumerate(["Introduction", "Findings", "Conclusions"], start=1):
        c.drawString(LEFT, H - 120 - 16 * i, f"{i} {name} " + "." * 60 + f" {i + 2}")
    c.showPage()
    c.setFont("Times-Bold", 16)
    c.drawString(LEFT, H - 90, "Introduction")
    draw_lines(c, wrap(c, sentences(3, 4), RIGHT - LEFT), LEFT, H - 120)
    c.showPage()
    c.save()
    return path


@pytest.fixture(scope="session")
def bad_files(pdf_dir) -> dict[str, Path]:
    """One file per bad input."""
    files: dict[str, Path] = {}
    files["empty"] = pdf_dir / "empty.pdf"
    files["empty"].write_bytes(b"")
    good = pdf_dir / "good.pdf"
    c = canvas.Canvas(str(good), pagesize=A4)
    draw_lines(c, wrap(c, sentences(1, 6), RIGHT - LEFT), LEFT, H - 100)
    c.showPage()
    c.save()
    data = good.read_bytes()
    files["truncated"] = pdf_dir / "truncated.pdf"
    files["truncated"].write_bytes(data[: len(data) // 3])
    files["html_as_pdf"] = pdf_dir / "login.pdf"
    files["html_as_pdf"].write_bytes(
        b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>Please log in."
        b"</p></body></html>"
    )
    rnd = random.Random(5)
    junk = bytes(rnd.randrange(256) for _ in range(4000))
    files["binary_as_pdf"] = pdf_dir / "junk.pdf"
    files["binary_as_pdf"].write_bytes(junk)
    files["binary_as_html"] = pdf_dir / "junk.html"
    files["binary_as_html"].write_bytes(junk)
    enc = pdf_dir / "encrypted.pdf"
    c = canvas.Canvas(str(enc), pagesize=A4, encrypt="secret")
    draw_lines(c, ["Confidential text."], LEFT, H - 100)
    c.showPage()
    c.save()
    files["encrypted"] = enc
    scanned = pdf_dir / "scanned.pdf"
    c = canvas.Canvas(str(scanned), pagesize=A4)
    for k in range(40):  # an image-like page: only drawings, no text
        c.rect(LEFT + 10 * k, H - 200 - 5 * k, 8, 8, fill=1)
    c.showPage()
    c.save()
    files["scanned"] = scanned
    many = pdf_dir / "many_pages.pdf"
    c = canvas.Canvas(str(many), pagesize=A4)
    for k in range(12):
        c.setFont("Times-Roman", BODY)
        c.drawString(LEFT, H - 100, f"Page body {k}.")
        c.showPage()
    c.save()
    files["many_pages"] = many
    files["undecodable"] = pdf_dir / "undecodable.txt"
    files["undecodable"].write_bytes(b"\x81\x8d\x8f\x90\x9d" * 50 + b"\x00\x01" * 3)
    files["good"] = good
    return files


def make_long_pdf(path: Path, pages: int, lines: int = 45) -> Path:
    """A long plain report for memory and speed checks (also used by bench/)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    text_lines = wrap(c, sentences(11, 30), RIGHT - LEFT)
    for n in range(1, pages + 1):
        running_furniture(c, n, pages)
        draw_lines(c, text_lines[:lines], LEFT, H - 80)
        c.showPage()
    c.save()
    return path

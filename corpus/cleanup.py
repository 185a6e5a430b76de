"""Layout rules that turn positioned words into body paragraphs.

Pure functions over plain ``Word``/``Line`` records (no pdfplumber objects), chained by
``clean_document``:

    detach footnote markers -> XY-cut reading order (columns) -> lines
    -> classify lines (running heads, page numbers, footnotes, headings, contents,
       captions, source lines, small print, body)
    -> paragraphs (gap rule inside a column, sentence rule across columns and pages)
    -> de-hyphenation with in-document statistics.

Each step is a small named function with its own test in ``tests/corpus``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, fields

# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False


@dataclass(slots=True)
class Line:
    words: list[Word]
    page: int
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    kind: str = "body"  # body | heading | title | note | removed
    reason: str = ""
    marker: str = ""  # leading footnote marker (note lines)


@dataclass
class PageWords:
    """One page as plain data: what ``corpus.pdf`` hands to the layout rules."""

    number: int  # 1-based
    width: float
    height: float
    words: list[Word]
    removed: list[tuple[str, str]] = field(default_factory=list)  # (text, reason)
    tables: list[list[list[str]]] = field(default_factory=list)
    n_chars: int = 0  # characters on the page before any removal (text layer check)


@dataclass(frozen=True)
class CleanupSettings:
    """Thresholds of the layout rules; unknown keys are rejected by ``from_dict``."""

    margin_ratio: float = 0.12  # top/bottom band searched for running heads and footers
    repeat_ratio: float = 0.3  # share of pages a running line must recur on
    heading_ratio: float = 1.15  # heading font size >= body size x this
    small_ratio: float = 0.95  # text below body size x this is not body text
    marker_ratio: float = 0.86  # superscript markers are this much smaller than neighbours
    gutter_ratio: float = 1.0  # column gutter >= median font size x this
    para_gap_ratio: float = 0.5  # extra vertical gap (x font size) that starts a paragraph

    @classmethod
    def from_dict(cls, values: dict) -> CleanupSettings:
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown cleanup settings: {sorted(unknown)}")
        return cls(**values)


@dataclass
class CleanParagraph:
    text: str
    page: int
    heading: str | None


@dataclass
class CleanHeading:
    text: str
    page: int
    level: int


@dataclass
class CleanResult:
    title: str | None
    paragraphs: list[CleanParagraph]
    headings: list[CleanHeading]
    removed: list[tuple[int, str, str]]  # (page, text, reason)
    notes: list[tuple[int, str, str]]  # (page, marker, text)
    markers: list[tuple[int, str]]  # (page, marker) detached from body words
    order: list[CleanHeading | CleanParagraph] = field(default_factory=list)  # reading order


# --------------------------------------------------------------------------- patterns

_MARKER = re.compile(r"^(?:\d{1,3}|[*\u2020\u2021\u00a7a-z])$")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|pagina|página)\s*)?[-\u2013\u2014 ]*\d{1,4}"
    r"(?:\s*(?:of|/|de|von|sur)\s*\d{1,4})?[-\u2013\u2014 ]*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^\d{1,4}$")
_ROMAN = re.compile(r"^[ivxlcdm]{1,6}$", re.IGNORECASE)
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d+$|\u2026+\s*\d+$|_{4,}\s*\d+$")
_CONTENTS = re.compile(r"^(?:table of )?contents$|^inhalt|^sommaire$|^índice$", re.IGNORECASE)
_CAPTION = re.compile(
    r"^(?:figure|fig\.|table|chart|graph|exhibit|box|map|diagram|illustration)"
    r"\s*[0-9IVX]+[a-z]?[.:\u2013\u2014-]",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"^(?:source|sources|note|notes)\s*:", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")
_HYPHEN_END = re.compile(r"([A-Za-z\u00c0-\u024f]+)-$")
_LEAD_WORD = re.compile(r"^([a-z\u00df-\u024f]+)")
_TOKEN = re.compile(r"[\w\u00c0-\u024f]+(?:-[\w\u00c0-\u024f]+)*")


# --------------------------------------------------------------------------- words


def detach_markers(words: list[Word], ratio: float) -> tuple[list[Word], list[Word]]:
    """Split off superscript footnote markers: short tokens in a smaller font, raised,
    touching a word of a larger font on the same line. Returns (kept, markers)."""
    kept: list[Word] = []
    markers: list[Word] = []
    for w in words:
        if _MARKER.match(w.text) and _touches_larger(w, words, ratio):
            markers.append(w)
        else:
            kept.append(w)
    return kept, markers


def _touches_larger(w: Word, words: list[Word], ratio: float) -> bool:
    for o in words:
        if o is w or o.size * ratio < w.size:
            continue
        if o.bottom < w.top or o.top > w.bottom:
            continue
        if w.top > o.top + 0.15 * o.size:  # a marker sits high, never low
            continue
        if -1.0 <= w.x0 - o.x1 <= 0.4 * o.size or -1.0 <= o.x0 - w.x1 <= 0.4 * o.size:
            return True
    return False


def xy_cut(words: list[Word], gutter_ratio: float) -> list[tuple[list[Word], bool]]:
    """Recursive XY-cut: split at a vertical gutter (>= one font size wide, the whole
    block high) when there is one, else at the widest horizontal gap. Returns the leaf
    blocks in reading order, each with a flag that is True for a number-only column
    (line numbers) split off by a gutter."""
    out: list[tuple[list[Word], bool]] = []
    stack: list[list[Word]] = [words]
    while stack:
        block = stack.pop()
        if len(block) <= 1:
            if block:
                out.append((block, False))
            continue
        vertical = _vertical_cut(block, gutter_ratio)
        if vertical is not None:
            keep = []
            for part in vertical:
                if _n_rows(part) >= 3 and all(_NUMBER.match(w.text) for w in part):
                    out_part = (part, True)
                    out.append(out_part)
                else:
                    keep.append(part)
            stack.extend(reversed(keep))
            continue
        parts = _horizontal_cut(block)
        if parts is None:
            out.append((block, False))
            continue
        stack.extend(reversed(parts))
    return out


def _gaps(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    intervals.sort()
    gaps = []
    end = intervals[0][1]
    for a, b in intervals[1:]:
        if a > end:
            gaps.append((end, a))
        end = max(end, b)
    return gaps


def _median_size(block: list[Word]) -> float:
    sizes = sorted(w.size for w in block)
    return sizes[len(sizes) // 2]


def _vertical_cut(block: list[Word], gutter_ratio: float) -> list[list[Word]] | None:
    gaps = _gaps([(w.x0, w.x1) for w in block])
    if not gaps:
        return None
    need = _median_size(block) * gutter_ratio
    lo, hi = max(gaps, key=lambda g: g[1] - g[0])
    if hi - lo < need:
        return None
    left = [w for w in block if w.x1 <= lo + 0.01]
    right = [w for w in block if w.x0 >= hi - 0.01]
    # a gutter must separate columns of several lines, not two words of one line
    if _n_rows(left) < 2 or _n_rows(right) < 2:
        return None
    return [left, right]


def _n_rows(block: list[Word]) -> int:
    return len({round(w.top / 2) for w in block})


def _horizontal_cut(block: list[Word]) -> list[list[Word]] | None:
    gaps = _gaps([(w.top, w.bottom) for w in block])
    if not gaps:
        return None
    lo, hi = max(gaps, key=lambda g: g[1] - g[0])
    cut = (lo + hi) / 2
    return [[w for w in block if w.top < cut], [w for w in block if w.top >= cut]]


def build_lines(block: list[Word], page: int) -> list[Line]:
    """Group a block's words into lines (by vertical overlap) and join them with spaces
    where there is a visible gap."""
    lines: list[Line] = []
    for w in sorted(block, key=lambda w: (w.top, w.x0)):
        if lines:
            last = lines[-1]
            overlap = min(last.bottom, w.bottom) - max(last.top, w.top)
            if overlap > 0.5 * min(last.bottom - last.top, w.bottom - w.top):
                last.words.append(w)
                last.top = min(last.top, w.top)
                last.bottom = max(last.bottom, w.bottom)
                continue
        lines.append(Line(words=[w], page=page, top=w.top, bottom=w.bottom))
    for line in lines:
        _finish_line(line)
    return lines


def _finish_line(line: Line) -> None:
    ws = sorted(line.words, key=lambda w: w.x0)
    line.words = ws
    parts = [ws[0].text]
    for prev, w in zip(ws, ws[1:], strict=False):
        if w.x0 - prev.x1 > 0.1 * min(prev.size, w.size):
            parts.append(" ")
        parts.append(w.text)
    line.text = "".join(parts).strip()
    line.x0 = ws[0].x0
    line.x1 = ws[-1].x1
    weight = Counter()
    for w in ws:
        weight[round(w.size * 2) / 2] += len(w.text)
    line.size = weight.most_common(1)[0][0]
    line.bold = all(w.bold for w in ws)


def page_lines(page: PageWords, settings: CleanupSettings) -> tuple[list[Line], list[Word]]:
    """Reading-ordered lines of one page, plus the detached footnote markers."""
    words, markers = detach_markers(page.words, settings.marker_ratio)
    lines: list[Line] = []
    for block, numbers_only in xy_cut(words, settings.gutter_ratio):
        block_lines = build_lines(block, page.number)
        if numbers_only:
            for x in block_lines:
                x.kind, x.reason = "removed", "line numbers"
        lines.extend(block_lines)
    return lines, markers


# --------------------------------------------------------------------------- classify


def body_size(pages: list[list[Line]]) -> float:
    """The most common font size, weighted by characters: the size of the body text."""
    weight: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            weight[line.size] += len(line.text)
    return weight.most_common(1)[0][0] if weight else 10.0


def mark_running_lines(pages: list[list[Line]], heights: list[float], s: CleanupSettings) -> None:
    """Running heads and footers: lines in the top or bottom band whose text (digits
    as '#') recurs at about the same height on >= repeat_ratio of pages; bare page numbers
    and 'Page N of M' in the bands."""
    n = len(pages)
    seen: Counter[tuple[str, int]] = Counter()
    keyed: list[list[tuple[Line, tuple[str, int]]]] = []
    for lines, h in zip(pages, heights, strict=False):
        page_keys = []
        for line in lines:
            if line.top < h * s.margin_ratio or line.bottom > h * (1 - s.margin_ratio):
                key = (re.sub(r"\d+", "#", line.text.lower()), round(line.top / 8))
                page_keys.append((line, key))
        keyed.append(page_keys)
        for key in {k for _, k in page_keys}:
            seen[key] += 1
    need = max(2, s.repeat_ratio * n)
    for _lines, h, page_keys in zip(pages, heights, keyed, strict=False):
        for line, key in page_keys:
            if line.kind != "body":
                continue
            top_band = line.top < h * s.margin_ratio
            if _PAGE_NUMBER.match(line.text) or _ROMAN.match(line.text):
                line.kind, line.reason = "removed", "page number"
            elif n > 1 and seen[key] >= need:
                line.kind = "removed"
                line.reason = "running head" if top_band else "running footer"


def mark_footnotes(lines: list[Line], height: float, body: float, s: CleanupSettings) -> None:
    """The trailing run of small-font lines at the bottom of the page is a notes stream."""
    candidates = [x for x in lines if x.kind == "body"]
    for line in sorted(candidates, key=lambda x: -x.top):
        if line.size < body * s.small_ratio and line.top > height * 0.5:
            line.kind = "note"
        else:
            break


def classify(lines: list[Line], body: float, s: CleanupSettings) -> None:
    """Headings, contents rows, captions, source lines and small print on one page."""
    in_contents = False
    after_heading = False
    for line in lines:
        if line.kind != "body":
            continue
        text = line.text
        if line.size >= body * s.heading_ratio and len(text) < 300:
            line.kind = "heading"
            in_contents = bool(_CONTENTS.match(text))
            if in_contents:
                line.kind, line.reason = "removed", "table of contents"
            after_heading = True
            continue
        if in_contents or _DOT_LEADER.search(text):
            line.kind, line.reason = "removed", "table of contents"
        elif _CAPTION.match(text) and (line.size < body * s.small_ratio or line.bold):
            line.kind, line.reason = "removed", "caption"
        elif line.size < body * s.small_ratio:
            line.kind = "removed"
            if _SOURCE.match(text):
                line.reason = "source line"
            elif after_heading:
                line.reason = "byline"
            elif not re.search(r"[A-Za-z]{3}", text):
                line.reason = "chart or table labels"
            else:
                line.reason = "small print (caption, table or figure text)"
        elif (
            line.bold
            and len(text) < 120
            and not _TERMINAL.search(text)
            and line.size >= body * 0.97
        ):
            line.kind = "heading"
            after_heading = True
            continue
        else:
            after_heading = False


# --------------------------------------------------------------------------- paragraphs


def _typical_gap(pages: list[list[Line]]) -> float:
    gaps = []
    for lines in pages:
        body = [x for x in lines if x.kind == "body"]
        for a, b in zip(body, body[1:], strict=False):
            g = b.top - a.bottom
            if 0 <= g < 2 * a.size and _x_overlap(a, b):
                gaps.append(round(g, 1))
    if not gaps:
        return 3.0
    return Counter(gaps).most_common(1)[0][0]


def _x_overlap(a: Line, b: Line) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0


# first and second halves that usually form hyphenated compounds ("non-formal",
# "short-term", "work-based"); the document's own statistics take precedence
COMPOUND_HEADS = frozenset(
    "non self cross short long full part well high low multi inter co ex mid post pre "
    "sub semi anti small large middle world EU one two three four five six ten".lower().split()
)
COMPOUND_TAILS = frozenset(
    [
        "based",
        "term",
        "time",
        "level",
        "related",
        "wide",
        "specific",
        "led",
        "oriented",
        "making",
        "scale",
        "formal",
        "skilled",
        "driven",
        "friendly",
        "free",
        "market",
        "like",
        "funded",
        "owned",
        "focused",
        "centred",
        "centered",
        "run",
        "sized",
        "up",
        "border",
        "credential",
        "credentials",
        "learning",
    ]
)
# closed-class words that glue into single words ("everywhere", "however", "without")
JOINING_HEADS = frozenset(
    [
        "every",
        "some",
        "any",
        "no",
        "with",
        "where",
        "there",
        "here",
        "what",
        "when",
        "who",
        "how",
        "what",
        "under",
        "over",
        "after",
        "other",
        "be",
        "to",
        "in",
        "on",
        "for",
        "out",
        "up",
        "down",
        "through",
        "mean",
        "never",
    ]
)


def hyphen_stats(pages: list[list[Line]]) -> Counter[str]:
    """Lower-cased token counts of body text, hyphenated compounds kept whole; the two
    fragments of a word broken at a line end are left out."""
    counts: Counter[str] = Counter()
    for lines in pages:
        skip_first = False
        for line in lines:
            if line.kind != "body":
                continue
            tokens = [t.lower() for t in _TOKEN.findall(line.text)]
            if skip_first and tokens:
                tokens = tokens[1:]
            skip_first = line.text.endswith("-")
            if skip_first and tokens:
                tokens = tokens[:-1]
            counts.update(tokens)
    return counts


def join_hyphenated(head: str, tail: str, counts: Counter[str]) -> str:
    """Join ``head`` ending in 'word-' with ``tail``: drop the hyphen unless the document
    prefers the hyphenated compound; when it has seen neither form, keep the hyphen for
    known compound halves and for two content words of 4+ letters."""
    m = _HYPHEN_END.search(head)
    lead = _LEAD_WORD.match(tail)
    if not m or not lead:
        if head.endswith(" -") or not head.endswith("-"):
            return head + " " + tail
        return head + tail
    a, b = m.group(1).lower(), lead.group(1).lower()
    joined, hyphened = counts[a + b], counts[a + "-" + b]
    if hyphened > joined:
        return head + tail
    if joined > hyphened:
        return head[:-1] + tail
    last = a.rsplit("-", 1)[-1]
    if last in COMPOUND_HEADS or b in COMPOUND_TAILS:
        return head + tail
    if len(last) >= 4 and len(b) >= 4 and counts[last] and counts[b] and last not in JOINING_HEADS:
        return head + tail
    return head[:-1] + tail


def clean_document(
    pages: list[PageWords], settings: CleanupSettings | None = None, meta_title: str | None = None
) -> CleanResult:
    """All layout rules over a document's pages, in order."""
    s = settings or CleanupSettings()
    all_lines: list[list[Line]] = []
    page_marks: list[list[Word]] = []
    removed: list[tuple[int, str, str]] = []
    for page in pages:
        lines, marks = page_lines(page, s)
        all_lines.append(lines)
        page_marks.append(marks)
        removed.extend((page.number, t, r) for t, r in page.removed)
    heights = [p.height for p in pages]
    body = body_size(all_lines)
    mark_running_lines(all_lines, heights, s)
    for lines, h in zip(all_lines, heights, strict=False):
        mark_footnotes(lines, h, body, s)
        classify(lines, body, s)

    title = _title_page(all_lines)
    notes, markers = _collect_notes(all_lines, page_marks)
    order = _paragraphs(all_lines, body, s)
    headings = [b for b in order if isinstance(b, CleanHeading)]
    paragraphs = [b for b in order if isinstance(b, CleanParagraph)]
    if title is None and headings and headings[0].page == 1:
        title = headings[0].text
    if title is None and meta_title:
        title = meta_title
    for lines in all_lines:
        for line in lines:
            if line.kind == "removed":
                removed.append((line.page, line.text, line.reason))
    return CleanResult(title, paragraphs, headings, removed, notes, markers, order)


def _title_page(pages: list[list[Line]]) -> str | None:
    """A first page with no body text is a title page: its largest text is the title,
    the rest is furniture."""
    if len(pages) < 2 or not pages[0]:
        return None
    first = pages[0]
    if any(x.kind == "body" for x in first) or not any(x.kind == "heading" for x in first):
        return None
    biggest = max(x.size for x in first if x.kind == "heading")
    title_lines = [x for x in first if x.kind == "heading" and x.size == biggest]
    for line in first:
        if line.kind in ("heading", "body", "note"):
            line.kind = "removed"
            line.reason = "title page"
        if line in title_lines:
            line.reason = "title"
    return " ".join(x.text for x in title_lines)


def _collect_notes(
    pages: list[list[Line]], page_marks: list[list[Word]]
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    """Notes ``(page, marker, text)``: a note starts at a line led by a marker; and the
    markers that were detached from body text ``(page, marker)``."""
    notes: list[tuple[int, str, str]] = []
    body_markers: list[tuple[int, str]] = []
    for lines, marks in zip(pages, page_marks, strict=False):
        used: set[int] = set()
        current: list[str] = []
        marker = ""
        page = 0
        for line in lines:
            if line.kind != "note":
                continue
            page = line.page
            lead = _leading_marker(line, marks, used)
            if lead is not None and current:
                notes.append((page, marker, " ".join(current)))
                current = []
            if lead is not None:
                marker = lead
            current.append(line.text)
        if current:
            notes.append((page, marker, " ".join(current)))
        if lines:
            body_markers.extend(
                (lines[0].page, m.text) for k, m in enumerate(marks) if k not in used
            )
    return notes, body_markers


def _leading_marker(line: Line, marks: list[Word], used: set[int]) -> str | None:
    for k, m in enumerate(marks):
        beside = m.x1 <= line.x0 + 1 and line.x0 - m.x1 < line.size
        if beside and m.bottom > line.top - 2 and m.top < line.bottom:
            used.add(k)
            return m.text
    words = line.words
    m = re.match(r"^(\d{1,3}|[*\u2020\u2021])[.)]?\s", line.text + " ")
    if m and len(words) > 1 and words[0].text == m.group(1) and words[0].size < words[1].size:
        return m.group(1)
    return None


def _paragraphs(
    pages: list[list[Line]], body: float, s: CleanupSettings
) -> list[CleanHeading | CleanParagraph]:
    counts = hyphen_stats(pages)
    gap = _typical_gap(pages)
    heading_sizes = sorted(
        {x.size for lines in pages for x in lines if x.kind == "heading"}, reverse=True
    )
    headings: list[CleanHeading] = []
    order: list[CleanHeading | CleanParagraph] = []
    current_heading: str | None = None
    text = ""
    start_page = 0
    prev: Line | None = None
    prev_heading: Line | None = None

    def flush() -> None:
        nonlocal text
        if text.strip():
            order.append(CleanParagraph(text.strip(), start_page, current_heading))
        text = ""

    for lines in pages:
        for line in lines:
            if line.kind == "heading":
                if prev_heading is not None and _continues_heading(prev_heading, line):
                    headings[-1].text += " " + line.text
                    current_heading = headings[-1].text
                    prev_heading = line
                    continue
                flush()
                prev = None
                level = heading_sizes.index(line.size) + 1 if line.size in heading_sizes else 1
                headings.append(CleanHeading(line.text, line.page, level))
                order.append(headings[-1])
                current_heading = line.text
                prev_heading = line
                continue
            if line.kind != "body":
                continue
            prev_heading = None
            if prev is None or _starts_paragraph(prev, line, text, gap, s):
                flush()
                text = line.text
                start_page = line.page
            elif text.endswith("-"):
                text = join_hyphenated(text, line.text, counts)
            else:
                text += " " + line.text
            prev = line
    flush()
    return order


def _continues_heading(a: Line, b: Line) -> bool:
    return a.page == b.page and abs(a.size - b.size) < 0.6 and 0 <= b.top - a.bottom < a.size


def _starts_paragraph(prev: Line, line: Line, text: str, gap: float, s: CleanupSettings) -> bool:
    same_column = line.page == prev.page and line.top >= prev.bottom - 1 and _x_overlap(prev, line)
    if same_column:
        if line.top - prev.bottom > gap + s.para_gap_ratio * line.size:
            return True
        return abs(line.size - prev.size) > 1.0
    # a column or page break: a paragraph runs on unless its sentence ended
    if _LEAD_WORD.match(line.text):
        return False
    return bool(_TERMINAL.search(text))

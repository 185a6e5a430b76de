"""Pure helpers for templates: highlight tag spans in passage text, safely."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # country | sector
    value: str  # ISO alpha-2 or NACE letter


def spans_of(tags: Iterable[object]) -> list[Span]:
    """Spans from ``TagSuggestion``-like objects (``kind``, ``value``, ``spans``)."""
    out = []
    for tag in tags:
        for s in getattr(tag, "spans", ()):
            out.append(Span(int(s[0]), int(s[1]), tag.kind, tag.value))  # type: ignore[attr-defined]
    return out


def highlight(text: str, spans: Iterable[Span]) -> Markup:
    """Escape the text, then wrap each span in ``<mark>``. Overlapping or out-of-range spans
    are dropped (the first one wins); raw text never reaches the page unescaped."""
    ordered = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, -s.end)
    )
    parts: list[str] = []
    pos = 0
    for s in ordered:
        if s.start < pos:
            continue
        parts.append(str(escape(text[pos : s.start])))
        parts.append(
            f'<mark class="tag tag-{escape(s.kind)}" data-code="{escape(s.value)}" '
            f'title="{escape(s.kind)} {escape(s.value)}">{escape(text[s.start : s.end])}'
            f"<sup>{escape(s.value)}</sup></mark>"
        )
        pos = s.end
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))

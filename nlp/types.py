"""Plain data that leaves the nlp package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Tag:
    """A country (ISO 3166-1 alpha-2) or sector (NACE Rev. 2 section letter) found in a text.

    ``start``/``end`` are character offsets into the tagged text: the evidence span.
    """

    kind: Literal["country", "sector"]
    code: str
    start: int
    end: int
    text: str
    rule: str = ""

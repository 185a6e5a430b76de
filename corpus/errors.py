"""Typed extraction errors: each carries a short human-readable ``reason``.

The flows record the reason on the failed document and go on with the rest of the run.
"""

from __future__ import annotations


class ExtractionError(Exception):
    """A document whose body text cannot be had; ``reason`` is shown to analysts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmptyDocument(ExtractionError):
    pass


class EncryptedPDF(ExtractionError):
    pass


class BrokenFile(ExtractionError):
    pass


class WrongFormat(ExtractionError):
    pass


class NoTextLayer(ExtractionError):
    pass


class TooLarge(ExtractionError):
    pass


class Undecodable(ExtractionError):
    pass


class FetchFailed(ExtractionError):
    pass

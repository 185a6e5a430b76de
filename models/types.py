"""Plain data that leaves the models package."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThemePrediction:
    """Themes of one passage: calibrated probabilities and the themes over threshold."""

    themes: list[str]
    scores: dict[str, float]
    explanations: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None  # set for input that could not be classified

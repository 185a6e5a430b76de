"""Assemble, save and load the credscope tagging pipeline (blank English + our components).

``build_nlp()`` is the only place that assembles the pipeline. The built pipeline is shipped as
package data in ``nlp/data/pipeline`` (a few hundred KB of patterns, no model weights) and
``load_nlp()`` loads it once per process; ``build_and_save()`` regenerates it (``make nlp``).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_CONFIG: dict[str, Any] = {
    "lang": "en",
    "components": {
        "credscope_countries": {"spans_key": "countries", "match_all_caps": True},
        "credscope_sectors": {"spans_key": "sectors", "filter": "credscope.sector_filter.v3"},
    },
}


def pipeline_dir() -> Path:
    """Where the built pipeline lives: ``nlp/data/pipeline`` inside the installed package."""
    return Path(str(resources.files("nlp.data").joinpath("pipeline")))


def _register_factories() -> None:
    """Import the component modules so their ``@Language.factory`` registrations exist."""
    import nlp.countries  # noqa: F401
    import nlp.sectors  # noqa: F401


def build_nlp(config: dict[str, Any] | None = None) -> Language:
    """A blank English pipeline with the country and sector components, initialised from data."""
    import spacy

    _register_factories()
    settings = copy.deepcopy(config or DEFAULT_CONFIG)
    nlp = spacy.blank(settings.get("lang", "en"))
    for factory, component_config in settings["components"].items():
        nlp.add_pipe(factory, config=component_config)
    nlp.initialize()
    return nlp


def build_and_save(path: Path | None = None, config: dict[str, Any] | None = None) -> Path:
    """Build the pipeline and write it to ``path`` (default: the packaged pipeline directory)."""
    target = path or pipeline_dir()
    build_nlp(config).to_disk(target)
    return target


@lru_cache(maxsize=4)
def load_nlp(path: str | None = None) -> Language:
    """Load the built pipeline (cached per process); build and save it first if it is missing."""
    import spacy

    _register_factories()
    target = Path(path) if path else pipeline_dir()
    if not (target / "config.cfg").exists():
        try:
            build_and_save(target)
        except OSError:
            return build_nlp()
    return spacy.load(target)

"""Country and sector tagging with spaCy (blank English pipeline + credscope components).

Importing this package is light: spaCy loads only when a pipeline is built or used.
"""

from nlp.pipeline import build_and_save, build_nlp, load_nlp
from nlp.sentences import split_sentences
from nlp.tagging import codes, tag_document, tag_texts
from nlp.types import Tag

__all__ = [
    "Tag",
    "build_and_save",
    "build_nlp",
    "codes",
    "load_nlp",
    "split_sentences",
    "tag_document",
    "tag_texts",
]

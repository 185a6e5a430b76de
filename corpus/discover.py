"""Find the documents under the given paths, with their content hash and sidecar metadata."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from corpus.types import Kind, SourceFile

SUFFIX_KIND: dict[str, Kind] = {".pdf": "pdf", ".html": "html", ".htm": "html", ".txt": "txt"}
MANIFEST = "manifest.json"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def load_manifest(folder: Path) -> dict[str, dict]:
    """Metadata per file name from a ``manifest.json`` beside the documents, if any.

    The demo corpus carries one (title, doc_type, date, publisher); a folder without one
    simply gets metadata from extraction.
    """
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {e["file"]: e for e in entries if isinstance(e, dict) and "file" in e}


def _iter_files(path: Path) -> Iterable[Path]:
    if path.is_file():
        yield path
        return
    for candidate in sorted(path.rglob("*")):
        if candidate.is_file() and not any(p.startswith(".") for p in candidate.parts[-3:]):
            yield candidate


def discover(paths: Iterable[str | Path]) -> list[SourceFile]:
    """Every ``.pdf .html .htm .txt`` file under ``paths`` (files or folders), sorted by URI.

    Files inside a ``truth/`` folder of a corpus (the reference texts) are not documents.
    """
    found: dict[str, SourceFile] = {}
    manifests: dict[Path, dict[str, dict]] = {}
    for root in paths:
        root = Path(root).expanduser().resolve()
        if not root.exists():
            raise FileNotFoundError(f"no such file or folder: {root}")
        for file in _iter_files(root):
            kind = SUFFIX_KIND.get(file.suffix.lower())
            if kind is None or "truth" in file.parent.parts[-1:]:
                continue
            folder = file.parent
            if folder not in manifests:
                manifests[folder] = load_manifest(folder)
            meta = manifests[folder].get(file.name, {})
            uri = file.as_uri()
            found[uri] = SourceFile(
                path=str(file),
                uri=uri,
                kind=kind,
                sha256=sha256_file(file),
                size=file.stat().st_size,
                title=meta.get("title"),
                doc_type=meta.get("doc_type"),
                publisher=meta.get("publisher"),
                date=str(meta["date"]) if meta.get("date") else None,
            )
    return [found[uri] for uri in sorted(found)]

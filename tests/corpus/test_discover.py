from pathlib import Path

import pytest

from corpus.discover import discover, sha256_file


def test_discover_finds_demo_corpus_with_metadata(corpus_dir: Path) -> None:
    sources = discover([corpus_dir])
    kinds = {s.kind for s in sources}
    assert len(sources) == 229  # truth/ files and manifest.json are not documents
    assert kinds == {"pdf", "html", "txt"}
    dossier = next(s for s in sources if s.path.endswith("dossier-1.pdf"))
    assert dossier.title and "compilation" in dossier.title
    assert dossier.doc_type == "report"
    assert dossier.sha256 == sha256_file(Path(dossier.path))
    assert dossier.uri.startswith("file://")


def test_discover_skips_other_files_and_sorts(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("hello")
    (tmp_path / "a.HTM").write_text("<p>x</p>")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.pdf").write_bytes(b"%PDF-1.4")
    names = [Path(s.path).name for s in discover([tmp_path])]
    assert names == ["a.HTM", "b.txt", "c.pdf"]


def test_discover_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        discover([tmp_path / "nope"])


def test_content_hash_changes_with_content(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("one")
    first = discover([f])[0].sha256
    f.write_text("two")
    assert discover([f])[0].sha256 != first

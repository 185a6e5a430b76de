"""Each heavy library is imported by one package only (the data path reads from the folders)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["corpus", "nlp", "models", "store", "flows", "app"]

# library -> packages allowed to import it
OWNERS = {
    "pdfplumber": {"corpus"},
    "pdfminer": {"corpus"},
    "pypdfium2": {"corpus"},
    "trafilatura": {"corpus"},
    "spacy": {"nlp"},
    "sklearn": {"models"},
    "skops": {"models"},
    "sqlalchemy": {"store"},
    "alembic": {"store"},
    "prefect": {"flows"},
    "prefect_dask": {"flows"},
    "typer": {"app"},
    "fastapi": {"app"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_heavy_libraries_stay_in_their_package(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:  # Alembic's env.py belongs to the store
            continue
        for lib in _imports(path) & OWNERS.keys():
            if package not in OWNERS[lib]:
                offenders.append(f"{path.relative_to(ROOT)} imports {lib}")
    assert not offenders, "\n".join(offenders)


def test_top_level_layout() -> None:
    for name in ["flows", "nlp", "corpus", "models", "tests", "pyproject.toml"]:
        assert (ROOT / name).exists()
    extra = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - set(PACKAGES)
    assert extra <= {"bench"}, f"unexpected top-level packages: {extra}"

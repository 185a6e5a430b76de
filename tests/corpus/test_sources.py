"""The sources file: kinds, checks, folder globs, the demo config."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.sources import LISTERS, ConfigError, SourceSpec, list_source, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]


def test_demo_config_lists_the_demo_corpus() -> None:
    config = load_config(ROOT / "credscope.toml")
    assert [s.kind for s in config.sources] == ["folder"]
    assert config.sources[0].path == ROOT / "data" / "corpus"
    assert config.fetch.data_dir == ROOT / ".credscope"
    listing = list_source(config.sources[0], None)  # type: ignore[arg-type]
    assert len(listing.files) == 229
    assert listing.scope == [(ROOT / "data" / "corpus").as_uri() + "/"]


def test_every_kind_is_registered() -> None:
    assert set(LISTERS) == {"folder", "url", "listing", "feed"}


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "credscope.toml").write_text(
        '[fetch]\ndata_dir = "cache"\ntimeout = 5\n'
        '[[sources]]\nkind = "folder"\npath = "docs"\n'
        '[[sources]]\nkind = "feed"\nname = "news"\nurl = "https://example.org/rss"\n'
        'include = ["*.pdf"]\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / "credscope.toml")
    folder, feed = config.sources
    assert folder.path == tmp_path / "docs" and folder.name == "docs"
    assert feed == SourceSpec("feed", "news", url="https://example.org/rss", include=("*.pdf",))
    assert config.fetch.data_dir == tmp_path / "cache" and config.fetch.timeout == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sources": [{"kind": "ftp", "url": "ftp://x"}]}, "kind must be one of"),
        ({"sources": [{"kind": "folder"}]}, "needs a path"),
        ({"sources": [{"kind": "url", "url": "file:///etc/passwd"}]}, "must be http"),
        (
            {"sources": [{"kind": "listing", "url": "https://a.b/", "includes": ["*"]}]},
            "unknown keys includes",
        ),
        ({"fetch": {"timout": 3}}, "unknown \\[fetch\\] keys: timout"),
        (
            {
                "sources": [
                    {"kind": "url", "url": "https://a.b/1", "name": "x"},
                    {"kind": "url", "url": "https://a.b/2", "name": "x"},
                ]
            },
            "same name",
        ),
    ],
)
def test_bad_configs_are_refused(tmp_path: Path, data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(data, base=tmp_path)


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sources]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_folder_globs(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    for name in ("reports/a.pdf", "reports/b.txt", "notes.txt", "page.html"):
        (tmp_path / name).write_text("Micro-credentials.", encoding="utf-8")
    spec = parse_config(
        {"sources": [{"kind": "folder", "path": ".", "globs": ["reports/*.txt", "*.html"]}]},
        base=tmp_path,
    ).sources[0]
    names = sorted(Path(f.path).name for f in list_source(spec, None).files)  # type: ignore[arg-type]
    assert names == ["b.txt", "page.html"]
    everything = SourceSpec("folder", "all", path=tmp_path)
    assert len(list_source(everything, None).files) == 4  # type: ignore[arg-type]

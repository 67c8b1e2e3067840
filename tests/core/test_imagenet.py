"""core.models.imagenet: offline loading explains how to get the weights; class names without an index."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("keras")

from core.models import imagenet  # noqa: E402
from core.models.upload import ModelLoadError  # noqa: E402


def test_imagenet_offline_says_how_to_get_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(ModelLoadError, match="operator installs them with `make data`") as missing:
        imagenet.load_imagenet_model("MobileNetV2")
    assert str(tmp_path) not in str(missing.value)  # no server path for a student
    with pytest.raises(ValueError, match="name must be one of"):
        imagenet.load_imagenet_model("ResNet9000")
    top = imagenet.imagenet_top_classes("MobileNetV2", np.eye(1000)[7] * 0.9, top=2)
    assert top[0] == ("class 7", pytest.approx(0.9))


@pytest.mark.slow  # builds MobileNetV2 twice
def test_installed_weights_load_from_keras_cache_without_the_network(monkeypatch, tmp_path):
    """Weights in Keras' cache (as ``make data`` leaves them, Keras' legacy .h5 layout) are loaded into
    the network; no download is attempted even by Keras' own file check."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    stand_in = keras.applications.MobileNetV2(weights=None)
    stand_in.layers[1].kernel.assign(np.full(stand_in.layers[1].kernel.shape, 0.25, np.float32))
    path = imagenet.keras_models_dir() / imagenet.IMAGENET_MODELS["MobileNetV2"]["file"]
    path.parent.mkdir(parents=True)
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, stand_in)
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: pytest.fail("no download"))
    model = imagenet.load_imagenet_model("MobileNetV2")
    np.testing.assert_array_equal(model.layers[1].kernel.numpy(), 0.25)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
    np.testing.assert_allclose(model(x, training=False), stand_in(x, training=False), rtol=1e-5, atol=1e-6)
    path.write_bytes(b"partial download")
    with pytest.raises(ModelLoadError, match="could not be read"):
        imagenet.load_imagenet_model("MobileNetV2")

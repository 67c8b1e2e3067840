"""core.maths.translation: shifting an image, conv vs conv + pool under a shift, one CNN stage."""

import numpy as np
import pytest

from core.maths import translation
from core.maths.pooling import max_pool2d
from core.maths.translation import shift_image, translation_sensitivity

# ---------------------------------------------------------------- translation


def test_shift_image():
    x = np.arange(9, dtype=float).reshape(3, 3)
    np.testing.assert_array_equal(shift_image(x, 1, 0), [[0, 0, 0], [0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(shift_image(x, 0, -1, fill=-1), [[1, 2, -1], [4, 5, -1], [7, 8, -1]])
    np.testing.assert_array_equal(shift_image(x, 5, 0), np.zeros((3, 3)))
    assert shift_image(np.ones((4, 4, 3)), 1, 1).shape == (4, 4, 3)
    with pytest.raises(ValueError, match="dx"):
        shift_image(x, 0, 1.5)


def test_translation_sensitivity_pooling_absorbs_a_shift_inside_the_window():
    # One bright dot at (4, 3): in the valid conv map it sits at (3, 2); a 1-pixel shift right moves
    # it to (3, 3), still inside the same 2x2 pooling window (columns 2-3), so the pooled map does
    # not change while the conv map does.
    img = np.zeros((12, 12))
    img[4, 3] = 1.0
    identity = np.zeros((3, 3))
    identity[1, 1] = 1.0
    report = translation_sensitivity(img, identity, (0, 1), 2)
    assert report.feature_map.shape == (10, 10) and report.pooled.shape == (5, 5)
    assert report.conv_difference == 1.0  # the dot moved: the two maps share nothing
    assert report.pooled_difference == 0.0
    assert report.pooled_unchanged == 1.0 and report.conv_unchanged < 1.0
    # one more pixel and the dot crosses into the next window: now the pooled map changes too
    assert translation_sensitivity(img, identity, (0, 2), 2).pooled_difference > 0


def test_translation_sensitivity_no_shift_is_zero_and_random_images_shrink():
    rng = np.random.default_rng(1)
    img = rng.random((30, 30))
    kernel = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    still = translation_sensitivity(img, kernel, 0)
    assert still.conv_difference == 0.0 and still.pooled_difference == 0.0
    moved = translation_sensitivity(img, kernel, (1, 1), 2)
    assert moved.pooled_difference < moved.conv_difference
    with pytest.raises(ValueError, match="shift"):
        translation_sensitivity(img, kernel, (40, 0))
    with pytest.raises(ValueError, match="shift"):
        translation_sensitivity(img, kernel, "left")


# ---------------------------------------------------------------- one CNN stage, shifts in a row


def test_cnn_stage():
    img = np.random.default_rng(3).random((16, 12, 3)) * 255
    plain = translation.cnn_stage(img, pool_size=2, repeat=2)
    assert plain.conv is None and plain.pooled.shape == (4, 3, 3)
    edge = translation.cnn_stage(img[:, :, 0], [[1, 0, -1]] * 3, pool_size=2)
    assert edge.conv.shape == (16, 12) and edge.activated.min() >= 0  # "same" conv, then ReLU
    np.testing.assert_array_equal(edge.pooled, max_pool2d(edge.activated, 2))
    with pytest.raises(ValueError, match="repeat"):
        translation.cnn_stage(img, repeat=0)


def test_translation_curve_starts_at_zero():
    img = np.random.default_rng(4).random((24, 24))
    shifts, conv, pooled = translation.translation_curve(img, [[1, 0, -1]] * 3, range(4), 2)
    assert shifts.tolist() == [0, 1, 2, 3] and conv[0] == pooled[0] == 0
    assert np.all((conv[1:] > 0) & (conv[1:] <= 1)) and pooled[1] < conv[1]

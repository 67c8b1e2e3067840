"""core.data.volume_examples and the new worked examples of core.data.convolution_examples: several
kernels make a volume (TensorFlow oracle), seed 002's diagonal shapes, Rohrer's X/O numbers."""

import numpy as np
import pytest

from core.data.convolution_examples import (
    DIAGONAL_PATTERNS,
    WORKED_EXAMPLES,
    diagonal_responses,
    diagonal_strip,
    xo_scores,
)
from core.data.volume_examples import (
    CS231N_OUTPUT_PRINTED,
    CS231N_W1_MIDDLE_PRINTED,
    CS231N_W1_SLICES,
    cs231n_walkthrough,
    rgb_two_kernels,
)

tf = pytest.importorskip("tensorflow")


def _tf_conv(example):
    x = example.image[None]
    pad = example.padding
    if isinstance(pad, int):
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
        pad = "valid"
    out = tf.nn.conv2d(x, example.kernels, strides=example.stride, padding=pad.upper()).numpy()[0]
    return out + example.biases


def test_rgb_two_kernels_give_4x4x2():
    """003_de28f4f738ce9072.txt L106-115: 6×6×3 ∗ two 3×3×3 → (6−3+1)×(6−3+1)×2."""
    ex = rgb_two_kernels()
    out = ex.output()
    assert ex.image.shape == (6, 6, 3) and ex.kernels.shape == (3, 3, 3, 2) and out.shape == (4, 4, 2)
    np.testing.assert_allclose(out, _tf_conv(ex), atol=1e-5)
    np.testing.assert_array_equal(out[:, :, 0], WORKED_EXAMPLES["ng_6x6"].expected_map)  # red only
    assert out[0, 0, 1] == -5 + (3 + 0 + 1) - (2 + 7 + 2) + 0 == -12  # red + green (transposed) + flat blue


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_cs231n_walkthrough_is_3x3x2_and_matches_tf(seed):
    ex = cs231n_walkthrough(seed)
    out = ex.output()
    assert out.shape == (3, 3, 2) == CS231N_OUTPUT_PRINTED.shape
    np.testing.assert_allclose(out, _tf_conv(ex), atol=1e-5)
    assert set(np.unique(ex.image)) <= {0, 1, 2} and set(np.unique(ex.kernels[..., 0])) <= {-1, 0, 1}
    np.testing.assert_array_equal(ex.kernels[:, :, 0, 1], CS231N_W1_SLICES[0])
    np.testing.assert_array_equal(ex.kernels[:2, :, 1, 1].ravel(), CS231N_W1_MIDDLE_PRINTED)
    np.testing.assert_array_equal(ex.biases, [1, 0])
    with pytest.raises(ValueError, match="`seed`"):
        cs231n_walkthrough(-1)


def test_cs231n_seed_numbers_are_pinned():
    """000_05cde12013bfe355.txt L639-654, as printed."""
    np.testing.assert_array_equal(CS231N_W1_SLICES[0], [[-1, 0, 0], [0, 0, 1], [0, -1, 1]])
    np.testing.assert_array_equal(CS231N_W1_SLICES[2], [[0, 0, -1], [-1, 0, -1], [1, 1, 1]])
    np.testing.assert_array_equal(CS231N_OUTPUT_PRINTED[:, :, 0], [[-1, -5, -5], [2, -2, -8], [-3, -7, -7]])
    np.testing.assert_array_equal(CS231N_OUTPUT_PRINTED[:, :, 1], [[3, 0, -3], [1, 8, 0], [2, 4, 0]])


def test_diagonal_shapes():
    """002_7b3b2c01a09ce879.txt L172-181: the plain detector fires on a block too; negatives demand
    isolation."""
    r = diagonal_responses()
    assert r["diagonal_2x2"] == {
        "'/' diagonal": 2,
        "solid block": 2,
        "'/' with one more pixel": 2,
        "'\\' diagonal": 0,
        "empty": 0,
    }
    assert r["isolated_diagonal_2x2"] == {
        "'/' diagonal": 2,
        "solid block": 0,
        "'/' with one more pixel": 1,
        "'\\' diagonal": -2,
        "empty": 0,
    }
    strip = diagonal_strip()
    assert strip.shape == (2, 3 * len(DIAGONAL_PATTERNS) - 1)
    for key, block in (("diagonal_2x2_patterns", 2), ("isolated_diagonal_2x2_patterns", 0)):
        ex = WORKED_EXAMPLES[key]
        assert ex.expected_map[0, 0] == 2 and ex.expected_map[0, 3] == block == ex.expected_value


def test_xo_scores_match_the_seed():
    """000_05cde12013bfe355.txt L763 (divide by 9), L809 (ReLU), L826-830 (the printed map)."""
    s = xo_scores()
    assert s.sums[0, 0] == 7 and s.scores[0, 0] == pytest.approx(0.7777778) and s.printed[0, 0] == 0.77
    np.testing.assert_array_equal(np.diag(s.printed), [0.77, 1, 1, 0.55, 1, 1, 0.77])
    printed_tail = [-0.11, 0.11, 0.33, 0.55, -0.11, 0.33]  # L826, after the leading 0.77
    np.testing.assert_allclose(s.printed[0, 1:], printed_tail)
    np.testing.assert_allclose(s.printed[6], [0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77])
    assert int((s.printed < 0).sum()) == 20 and s.relu.min() == 0 and s.printed.min() == -0.33
    np.testing.assert_array_equal(s.relu, np.maximum(s.printed, 0))

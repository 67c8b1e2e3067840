"""core.maths.image_gradients and the padding modes: SciPy's convolve2d(boundary='symm') as the oracle."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.maths.convolution import PAD_MODE_NAMES, PAD_MODES, cross_correlate2d, pad_image
from core.maths.image_gradients import brightened, complex_convolve2d, gradient_magnitude
from core.maths.kernels import SCHARR_COMPLEX

signal = pytest.importorskip("scipy.signal")
ndimage = pytest.importorskip("scipy.ndimage")


def test_scharr_complex_kernel_is_the_scharr_pair():
    np.testing.assert_array_equal(SCHARR_COMPLEX.real, [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])
    np.testing.assert_array_equal(SCHARR_COMPLEX.imag, [[-3, -10, -3], [0, 0, 0], [3, 10, 3]])


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 12), st.integers(3, 12), st.integers(0, 2**16))
def test_matches_scipy_convolve2d_same_symm(h, w, seed):
    """000_05cde12013bfe355.txt L623: signal.convolve2d(arr, kernel, mode='same', boundary='symm')."""
    img = np.random.default_rng(seed).integers(0, 256, (h, w)).astype(np.float64)
    ours = complex_convolve2d(img, boundary="symm")
    np.testing.assert_allclose(
        ours, signal.convolve2d(img, SCHARR_COMPLEX, mode="same", boundary="symm"), atol=1e-3
    )
    np.testing.assert_allclose(gradient_magnitude(img), np.abs(ours), rtol=1e-6)
    # NumPy's "reflect" (edge pixel not repeated) is scipy.ndimage's "mirror", not 'symm'
    mirror = ndimage.convolve(img, SCHARR_COMPLEX.real, mode="mirror")
    np.testing.assert_allclose(complex_convolve2d(img, boundary="reflect").real, mirror, atol=1e-3)


def test_step_edge_magnitude_and_the_seeds_brightening():
    img = np.zeros((5, 6))
    img[:, 3:] = 255
    mag = gradient_magnitude(img)
    assert mag[2, 2] == pytest.approx(16 * 255) and mag[2, 0] == 0  # 3 + 10 + 3 = 16 per side
    np.testing.assert_array_equal(brightened([[0.0, 100.0, 200.0]]), [[100, 200, 255]])


def test_a_diagonal_step_exceeds_16_times_255_but_not_16_sqrt2_times_255():
    i, j = np.indices((16, 16))
    diagonal = np.where(i + j >= 16, 255.0, 0.0)  # a 0 -> 255 step along the anti-diagonal
    peak = float(gradient_magnitude(diagonal).max())
    assert peak == pytest.approx(4811.33, abs=0.01)  # the page's 4,811
    assert 16 * 255 < peak < 16 * np.sqrt(2) * 255  # 4080 < 4811 < 5770
    rng = np.random.default_rng(0)
    assert gradient_magnitude(rng.integers(0, 2, (32, 32)) * 255.0).max() <= 16 * np.sqrt(2) * 255 + 1e-6


def test_padding_modes_are_numpy_modes_and_differ_at_the_edge():
    row = np.array([[1.0, 2.0, 3.0]])
    assert PAD_MODES == ("constant", "reflect", "symmetric", "edge") and set(PAD_MODE_NAMES) == set(PAD_MODES)
    np.testing.assert_array_equal(pad_image(row, (0, 0, 2, 0), "reflect")[0], [3, 2, 1, 2, 3])
    np.testing.assert_array_equal(pad_image(row, (0, 0, 2, 0), "symmetric")[0], [2, 1, 1, 2, 3])
    img = np.random.default_rng(1).normal(size=(6, 7)).astype(np.float32)
    k = np.arange(9, dtype=np.float32).reshape(3, 3)
    ours = cross_correlate2d(img, k, padding=1, pad_mode="symmetric")
    np.testing.assert_allclose(ours, signal.correlate2d(img, k, mode="same", boundary="symm"), atol=1e-4)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: complex_convolve2d(np.zeros((3, 3, 3))), "`image`"),
        (lambda: complex_convolve2d(np.zeros((4, 4)), np.ones((2, 2))), "`kernel`"),
        (lambda: complex_convolve2d(np.zeros((4, 4)), boundary="wrap"), "`boundary`"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 12), st.integers(3, 12), st.integers(0, 2**32 - 1))
def test_sobel_magnitude_is_scipys_sobel_pair_with_edge_padding(h, w, seed):
    from core.maths.image_gradients import sobel_magnitude

    gray = np.random.default_rng(seed).uniform(0, 255, (h, w))
    oracle = np.hypot(
        ndimage.sobel(gray, axis=0, mode="nearest"), ndimage.sobel(gray, axis=1, mode="nearest")
    )
    np.testing.assert_allclose(sobel_magnitude(gray), oracle, rtol=1e-5, atol=1e-3)


def test_sobel_magnitude_of_a_step_and_its_refusals():
    from core.maths.image_gradients import sobel_magnitude

    step = np.tile([0.0, 0.0, 10.0, 10.0], (4, 1))
    np.testing.assert_array_equal(sobel_magnitude(step), np.tile([0.0, 40.0, 40.0, 0.0], (4, 1)))
    with pytest.raises(ValueError, match="`gray` must be a grey image"):
        sobel_magnitude(np.zeros((4, 4, 3)))

"""core.maths.kernels: what each kernel's sum and symmetry say, checked on real feature maps."""

import numpy as np
import pytest

from core.maths.convolution import convolve2d, cross_correlate2d
from core.maths.kernels import KERNELS, kernel_facts


def test_laplacian_4_is_four_times_the_centre_minus_the_neighbours():
    k = KERNELS["laplacian_4"]
    assert "4 × the centre minus the sum of its 4 neighbours" in k.description
    img = np.zeros((3, 3), np.float32)
    img[1, 1], img[0, 1], img[1, 0], img[1, 2], img[2, 1] = 5, 1, 2, 3, 4
    assert cross_correlate2d(img, k.values)[0, 0] == 4 * 5 - (1 + 2 + 3 + 4)


def test_sums_per_kernel():
    """Every seed-001 kernel sums to 0 (flat regions give 0); blurs and sharpen sum to 1; seed 002's plain
    2×2 diagonal detector sums to 2."""
    seed001 = [
        n
        for n, k in KERNELS.items()
        if k.source.startswith("Course notes, *CNNs and regularisation in Keras*")
    ]
    assert len(seed001) == 9 and all(KERNELS[n].facts.total == 0 for n in seed001)
    for name in ("identity", "box_blur", "gaussian_3x3", "gaussian_5x5", "sharpen", "emboss"):
        assert KERNELS[name].facts.total == pytest.approx(1, abs=1e-6), name
    assert KERNELS["diagonal_2x2"].facts.total == 2 and KERNELS["isolated_diagonal_2x2"].facts.total == 0
    flat = np.full((7, 7), 10, np.float32)
    for name, k in KERNELS.items():
        np.testing.assert_allclose(
            cross_correlate2d(flat, k.values), 10 * k.facts.total, atol=1e-4, err_msg=name
        )
    assert "Sums to 0: a flat region gives 0" in KERNELS["sobel_vertical"].facts.sentence()
    assert "Sums to 1" in KERNELS["box_blur"].facts.sentence()
    assert "Sums to 2" in KERNELS["diagonal_2x2"].facts.sentence()


def test_flip_symmetry_decides_whether_convolution_equals_cross_correlation():
    expected = {
        "sobel_vertical": "antisymmetric",
        "sobel_horizontal": "antisymmetric",
        "vertical_edge": "antisymmetric",
        "laplacian_4": "symmetric",
        "lines_45": "symmetric",
        "log_5x5": "symmetric",
        "emboss": "neither",
        "diagonal_2x2": "symmetric",
    }
    for name, flip in expected.items():
        assert KERNELS[name].facts.flip == flip, name
    img = np.random.default_rng(0).normal(size=(9, 9)).astype(np.float32)
    for name, k in KERNELS.items():
        xc, cv = cross_correlate2d(img, k.values), convolve2d(img, k.values)
        if k.facts.flip == "symmetric":
            np.testing.assert_allclose(cv, xc, atol=1e-5, err_msg=name)
            assert k.is_flip_symmetric
        elif k.facts.flip == "antisymmetric":
            np.testing.assert_allclose(cv, -xc, atol=1e-5, err_msg=name)
        else:
            assert not np.allclose(cv, xc, atol=1e-3) and not np.allclose(cv, -xc, atol=1e-3)


def test_kernel_facts_errors():
    with pytest.raises(ValueError, match="`values`"):
        kernel_facts([[np.nan]])
    with pytest.raises(ValueError, match="`values`"):
        kernel_facts([1, 2, 3])

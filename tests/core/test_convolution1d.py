"""core.maths.convolution1d: seed 000's 1-D example, NumPy's convolve/correlate as the oracle."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data.convolution_examples import CONVOLVE_1D_FULL, KERNEL_1D, SIGNAL_1D
from core.maths.convolution1d import (
    MODES_1D,
    convolve1d,
    convolve1d_steps,
    correlate1d,
    correlate1d_steps,
    parse_numbers,
)


def test_seed000_np_convolve_example():
    """000_05cde12013bfe355.txt L471-476: np.convolve([0,1,2,3,4], [1,-1,2]) = [0 1 1 3 5 2 8]."""
    assert SIGNAL_1D == (0, 1, 2, 3, 4) and KERNEL_1D == (1, -1, 2)
    np.testing.assert_array_equal(convolve1d(SIGNAL_1D, KERNEL_1D), [0, 1, 1, 3, 5, 2, 8])
    np.testing.assert_array_equal(CONVOLVE_1D_FULL, np.convolve(SIGNAL_1D, KERNEL_1D))
    np.testing.assert_array_equal(convolve1d(SIGNAL_1D, KERNEL_1D, mode="same"), [1, 1, 3, 5, 2])
    np.testing.assert_array_equal(convolve1d(SIGNAL_1D, KERNEL_1D, mode="valid"), [1, 3, 5])
    np.testing.assert_array_equal(correlate1d(SIGNAL_1D, KERNEL_1D, mode="full"), [0, 2, 3, 5, 7, -1, 4])
    np.testing.assert_array_equal(correlate1d(SIGNAL_1D, KERNEL_1D), [3, 5, 7])


def test_partial_sums_are_written_out():
    steps = convolve1d_steps(SIGNAL_1D, KERNEL_1D)
    assert [s.expression() for s in steps] == [
        "y[0] = 0·1 = 0",
        "y[1] = 0·(−1) + 1·1 = 1",
        "y[2] = 0·2 + 1·(−1) + 2·1 = 1",
        "y[3] = 1·2 + 2·(−1) + 3·1 = 3",
        "y[4] = 2·2 + 3·(−1) + 4·1 = 5",
        "y[5] = 3·2 + 4·(−1) = 2",
        "y[6] = 4·2 = 8",
    ]
    assert [p[0] for p in steps[3].pairs] == [1, 2, 3]  # signal indices under the flipped kernel
    assert correlate1d_steps(SIGNAL_1D, KERNEL_1D)[0].expression() == "y[0] = 0·1 + 1·(−1) + 2·2 = 3"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-9, 9), min_size=1, max_size=9),
    st.lists(st.integers(-9, 9), min_size=1, max_size=9),
    st.sampled_from(MODES_1D),
)
def test_matches_numpy(x, w, mode):
    np.testing.assert_array_equal(convolve1d(x, w, mode=mode), np.convolve(x, w, mode))
    np.testing.assert_array_equal(correlate1d(x, w, mode=mode), np.correlate(x, w, mode))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: convolve1d([], [1]), "`x`"),
        (lambda: convolve1d([1], [np.nan]), "`w`"),
        (lambda: convolve1d([1], [1], mode="circular"), "`mode`"),
        (lambda: parse_numbers("1, two", "Signal x"), "Signal x"),
        (lambda: parse_numbers(" ", "Kernel w"), "Kernel w"),
        (lambda: parse_numbers("1, nan", "Kernel w"), "NaN"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_parse_numbers_accepts_what_students_type():
    np.testing.assert_array_equal(parse_numbers("[0, 1; 2 −3]", "x"), [0, 1, 2, -3])

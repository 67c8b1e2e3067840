"""core.figures: signed-output display modes give the scales they promise."""
import numpy as np
import pytest

from core.figures import kernel_figure, matrix_figure, signed_display


def test_small_maps_use_their_true_extremes():
    fm = np.array([[-30.0, 0.0], [10.0, 300.0]])
    d = signed_display(fm, "diverging")
    assert (d.zmin, d.zmax) == (-300, 300) and d.colorscale == "RdBu_r"
    c = signed_display(fm, "clip")
    np.testing.assert_array_equal(c.values, [[0, 0], [10, 255]])
    a = signed_display(fm, "abs")
    assert a.zmax == 300 and a.values[0, 0] == 30
    m = signed_display(fm, "minmax")
    assert (m.zmin, m.zmax) == (-30, 300)


def test_large_maps_scale_to_a_robust_percentile():
    fm = np.zeros((100, 100), np.float32)
    fm[0, :10] = 10_000.0                       # 0.1% outliers
    fm[50:, :] = 5.0
    d = signed_display(fm, "diverging")
    assert d.zmax == pytest.approx(5.0) and "99.5th percentile" in d.caption


def test_unknown_mode_and_figures():
    with pytest.raises(ValueError, match="`mode` must be one of"):
        signed_display(np.zeros((2, 2)), "rainbow")
    fig = kernel_figure(np.array([[-1, 0, 1]] * 3))
    assert fig.data[0].zmin == -1 and fig.data[0].zmax == 1 and fig.data[0].text[0] == ["−1", "0", "1"]
    big = matrix_figure(np.zeros((200, 300)), zmin=0, zmax=1, pick_grid=True)
    assert big.data[0].type == "image" and big.data[1].customdata.shape[1] == 2
    assert big.data[1].customdata[:, 0].max() < 200 and big.data[1].customdata[:, 1].max() < 300

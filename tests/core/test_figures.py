"""core.figures.common and core.figures.convolution: signed-output display modes give the scales they
promise."""

import numpy as np
import pytest

from core.figures.common import matrix_figure
from core.figures.convolution import kernel_figure, signed_display


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
    fm[0, :10] = 10_000.0  # 0.1% outliers
    fm[50:, :] = 5.0
    d = signed_display(fm, "diverging")
    assert d.zmax == pytest.approx(5.0) and "99.5th percentile" in d.caption


def test_unknown_mode_and_figures():
    with pytest.raises(ValueError, match="`mode` must be one of"):
        signed_display(np.zeros((2, 2)), "rainbow")
    fig = kernel_figure(np.array([[-1, 0, 1]] * 3))
    assert fig.data[0].zmin == -1 and fig.data[0].zmax == 1 and fig.data[0].text[0] == ["−1", "0", "1"]
    big = matrix_figure(np.zeros((200, 300)), zmin=0, zmax=1, pick_grid=True)
    assert big.data[0].type == "image" and big.data[1].x.shape == big.data[1].y.shape == (
        50 * 60,
    )  # every 4th row, 5th column
    assert big.data[1].y.max() < 200 and big.data[1].x.max() < 300 and big.data[1].x.dtype == np.int16


def test_unvalidated_figures_pass_plotlys_validator_and_resolve_colour_names():
    import plotly.graph_objects as go

    from core.figures.convolution import closeup_figure, feature_map_figure

    small = matrix_figure(np.arange(16.0).reshape(4, 4), zmin=0, zmax=15, boxes=[((1, 1, 2, 2), "#d7301f")])
    big = matrix_figure(np.zeros((200, 300)), zmin=0, zmax=1, pick_grid=True)
    display, fmap = feature_map_figure(
        np.linspace(-5, 5, 80 * 80).reshape(80, 80), "diverging", pick_box=(3, 4)
    )
    close = closeup_figure(np.arange(400.0).reshape(20, 20), (5, 6, 3, 3), zmin=0, zmax=399, margin=2)
    for fig in (small, big, fmap, close):
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property
    stops = small.data[0].colorscale
    assert stops[0][1] == "rgb(0, 0, 0)" and stops[-1][1] == "rgb(254, 254, 253)"  # "gray" as its stops
    assert display.zmin == -display.zmax
    assert close.data[0].z.shape == (7, 7)  # 3 × 3 window + 2 on each side
    assert close.layout.shapes[0].x0 == 1.5 and close.layout.shapes[0].y0 == 1.5
    assert "rows 3–9, columns 4–10" in close.layout.title.text
    rgb = np.stack([np.full((20, 20), 30.0), np.full((20, 20), 60.0), np.full((20, 20), 90.0)], axis=-1)
    assert np.all(closeup_figure(rgb, (5, 6, 3, 3), zmin=0, zmax=255).data[0].z == 60.0)  # channel mean
    assert big.data[0].source.startswith("data:image/jpeg;base64,")  # 60,000 pixels: JPEG
    assert small.layout.shapes[0].x1 == 2.5


def test_large_padded_grids_travel_as_one_lossless_picture():
    import base64
    import io

    import plotly.io as pio
    from PIL import Image

    from core.figures.layer_arithmetic import padded_grid_figure

    big = padded_grid_figure(224, 3, (1, 1), 2, 1, (0, 0), 112)
    assert big.data[0].type == "image" and big.data[0].source.startswith("data:image/png")
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(big.data[0].source.split(",", 1)[1]))))
    assert pixels.shape == (226, 226, 3)
    assert tuple(pixels[0, 1]) == (242, 242, 242)  # padding
    assert tuple(pixels[0, 0]) == (8, 48, 107)  # the first kernel position (on the padding)
    assert tuple(pixels[2, 2]) == (8, 48, 107) and tuple(pixels[1, 1]) == (158, 202, 225)
    assert len(pio.to_json(big, validate=False)) < 40_000  # was ~440 kB as a heatmap and markers
    small = padded_grid_figure(6, 3, (1, 1), 1, 1, (0, 0), 6)
    assert small.data[0].type == "heatmap" and small.data[-1].x.size == 36


def test_first_filter_panels_name_only_close_matches_and_show_colour_opponent_filters():
    from core.figures.deep_features import first_filter_panels
    from core.maths.kernels import KERNELS

    matches = [
        {
            "filter": 0,
            "kernel": "sobel_vertical",
            "correlation": 0.93,
            "named": True,
            "kind": "named",
            "colour_share": 0.1,
        },
        {
            "filter": 1,
            "kernel": "emboss",
            "correlation": 0.55,
            "named": False,
            "kind": "no match",
            "colour_share": 0.2,
        },
        {
            "filter": 2,
            "kernel": "vertical_edge",
            "correlation": 0.85,
            "named": True,
            "kind": "colour-opponent",
            "colour_share": 0.84,
        },
    ]
    kernels, titles = first_filter_panels(matches)
    np.testing.assert_array_equal(kernels[0], KERNELS["sobel_vertical"].values)
    assert not np.any(kernels[1]) and not np.any(kernels[2])  # nothing drawn beside an unnamed filter
    assert titles == ["0: Sobel<br>r = +0.93", "1: no match<br>r = +0.55", "2: colour-<br>opponent 84%"]


def test_panel_rows_leave_room_for_the_next_rows_titles_and_mosaics_fit_a_phone():
    from core.figures.deep_features import panels_figure
    from core.figures.feature_maps import half_width_columns

    picture = np.zeros((20, 30, 3), np.uint8)
    fig = panels_figure([("a<br>b", picture)] * 6, cols=3, panel_height=100)
    plot_px = fig.layout.height - 44  # margins t=40, b=4
    top_row, bottom_row = fig.layout.yaxis.domain, fig.layout.yaxis4.domain
    assert (top_row[0] - bottom_row[1]) * plot_px == pytest.approx(44)  # two 13 px title lines fit
    assert 0 <= bottom_row[0] < 1e-9 and top_row[1] == 1.0
    # 16 or 32 maps: 4 a row, ~85 px each on a 358 px phone; 64: 8 a row (~44 px); few: a square
    assert [half_width_columns(n) for n in (1, 3, 4, 16, 32, 64)] == [1, 2, 4, 4, 4, 8]
    with pytest.raises(ValueError, match="at least 1"):
        half_width_columns(0)

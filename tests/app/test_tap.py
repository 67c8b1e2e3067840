"""A touch tap drives the same state as a mouse click, on every figure a student clicks: the tap
(``core.adapters.tap``'s listener) and the click (Plotly's selection) are sent as the browser sends
them, and the page's state and text are compared."""

import json

import pytest

from core.adapters.tap import grid_cell, tap_point
from tests.app.apptest import open_page
from tests.app.tap_events import click, tap


def picked(at, *keys):
    return tuple(at.session_state[k] for k in keys)


def test_tap_point_keeps_finite_numbers_only():
    assert tap_point({"x": 3, "y": 2.0, "point_index": 7, "curve_number": 1, "tap": 9, "evil": "x"}) == {
        "x": 3.0,
        "y": 2.0,
        "point_index": 7,
        "curve_number": 1,
    }
    assert tap_point({"x": 1, "y": 2, "customdata": [0.5, -1]})["customdata"] == [0.5, -1.0]
    assert "customdata" not in tap_point({"x": 1, "y": 2, "customdata": ["a"]})
    assert "customdata" not in tap_point({"x": 1, "y": 2, "customdata": list(range(100))})
    for bad in (None, [], {"x": 1}, {"x": "1", "y": 2}, {"x": True, "y": 2}, {"x": float("nan"), "y": 1}):
        assert tap_point(bad) is None


def test_convolution_feature_map_tap_picks_the_output_pixel():
    at = open_page("convolution")
    at.selectbox(key="conv_example").set_value("ng_6x6").run()
    click(at, "conv_out_chart", {"x": 2, "y": 3, "curve_number": 1, "point_index": 14})
    by_click = picked(at, "conv_row", "conv_col")
    text = next(s.value for s in at.header if s.value.startswith("The arithmetic at output"))
    tap(at, "conv_out_chart", {"x": 0, "y": 1, "curve_number": 1, "point_index": 4})
    assert picked(at, "conv_row", "conv_col") == (1, 0)
    tap(at, "conv_out_chart", {"x": 2, "y": 3, "curve_number": 1, "point_index": 14})
    assert picked(at, "conv_row", "conv_col") == by_click == (3, 2)
    assert text == "The arithmetic at output (3, 2)"
    assert any(s.value == text for s in at.header)


def test_pooling_output_tap_picks_the_window():
    at = open_page("pooling")
    click(at, "pool_out_chart", {"x": 0, "y": 1, "curve_number": 1, "point_index": 2})
    by_click = (
        picked(at, "pool_row", "pool_col"),
        [c.value for c in at.code if c.value.startswith("output (")],
    )
    tap(at, "pool_out_chart", {"x": 1, "y": 0, "curve_number": 1, "point_index": 1})
    assert picked(at, "pool_row", "pool_col") == (0, 1)
    tap(at, "pool_out_chart", {"x": 0, "y": 1, "curve_number": 1, "point_index": 2})
    assert (
        picked(at, "pool_row", "pool_col"),
        [c.value for c in at.code if c.value.startswith("output (")],
    ) == by_click
    assert by_click[0] == (1, 0) and by_click[1][0].startswith("output (1, 0) = max(")


def test_perceptron_tap_adds_the_same_point_as_a_click():
    at = open_page("perceptron")
    at.selectbox(key="perc_data").set_value("your points").run()
    before = len(at.session_state["perc_points"])
    point = {"x": 0.5, "y": -0.25, "curve_number": 3, "point_index": 40, "customdata": [0.5, -0.25]}
    click(at, "perc_plot", point)
    assert len(at.session_state["perc_points"]) == before + 1
    tap(at, "perc_plot", point)
    points = at.session_state["perc_points"]
    assert len(points) == before + 2
    assert (
        points.iloc[-1].tolist()
        == points.iloc[-2].tolist()
        == [0.5, -0.25, at.session_state["perc_click_class"]]
    )
    tap(at, "perc_plot", {"x": 0.5, "y": -0.25})  # no customdata: not a point of the pick grid
    assert len(at.session_state["perc_points"]) == before + 2


@pytest.mark.slow  # imports TensorFlow and loads the trained autoencoder
@pytest.mark.usefixtures("isolated_model_cache")
def test_autoencoder_plane_tap_decodes_that_point():
    at = open_page("autoencoder")
    click(at, "ae_plane", {"x": 1.234, "y": -0.5, "curve_number": 0, "point_index": 3})
    by_click = picked(at, "ae_x", "ae_y")
    tap(at, "ae_plane", {"x": 0.0, "y": 0.0, "curve_number": 0, "point_index": 0})
    assert picked(at, "ae_x", "ae_y") == (0.0, 0.0)
    tap(at, "ae_plane", {"x": 1.234, "y": -0.5, "curve_number": 0, "point_index": 3})
    assert picked(at, "ae_x", "ae_y") == by_click == (1.23, -0.5)
    assert (at.query_params["x"], at.query_params["y"]) == ("1.23", "-0.5")  # the link follows the tap


@pytest.mark.slow  # imports TensorFlow and runs VGG16
def test_deep_features_unit_map_tap_picks_the_unit():
    at = open_page("deep_features", query={"src": "Sample photo", "sample": "rocket", "size": 224})
    click(at, "dfe_map_chart", {"x": 7, "y": 5, "curve_number": 1, "point_index": 0})
    by_click = picked(at, "dfe_row", "dfe_col")
    tap(at, "dfe_map_chart", {"x": 1, "y": 2, "curve_number": 1, "point_index": 0})
    assert picked(at, "dfe_row", "dfe_col") == (2, 1)
    tap(at, "dfe_map_chart", {"x": 7, "y": 5, "curve_number": 1, "point_index": 0})
    assert picked(at, "dfe_row", "dfe_col") == by_click == (5, 7)
    assert any(m.value.startswith("Unit (5, 7) of map") for m in at.markdown)
    click(at, "dfe_map_chart", {"x": 1e9, "y": -3.0, "curve_number": 1, "point_index": 0})  # hand-made JSON
    last_col = int(at.number_input(key="dfe_col").max)
    assert picked(at, "dfe_row", "dfe_col") == (0, last_col) and last_col > 7  # clamped into the map
    assert not at.exception and not at.error


@pytest.mark.slow  # imports TensorFlow and runs VGG16
def test_deep_features_ranked_grid_tap_picks_that_map_like_the_map_menu():
    at = open_page("deep_features", query={"src": "Sample photo", "sample": "rocket", "size": 224})
    ranked = [int(o.split()[1]) for o in at.selectbox(key="dfe_map").options]  # "map K · rank r · ..."
    assert at.session_state["dfe_map"] == ranked[0]
    tap(at, "dfe_maps", tile_centre(at, "dfe_maps", 2, 2, rows=4, cols=4))  # ranks 1-16, 4 x 4: rank 11
    assert at.session_state["dfe_map"] == ranked[10] != ranked[0]
    by_tap = picked(at, "dfe_map", "dfe_row", "dfe_col"), field_text(at)
    assert by_tap[1].startswith(f"Unit ({by_tap[0][1]}, {by_tap[0][2]}) of map {ranked[10]} =")
    at.selectbox(key="dfe_map").set_value(ranked[0]).run()
    at.selectbox(key="dfe_map").set_value(ranked[10]).run()  # the menu's way to the same map
    assert (picked(at, "dfe_map", "dfe_row", "dfe_col"), field_text(at)) == by_tap
    tap(at, "dfe_maps_2", tile_centre(at, "dfe_maps_2", 3, 3, rows=4, cols=4))  # ranks 17-32: the last
    assert at.session_state["dfe_map"] == ranked[31]


def field_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Unit ("))


def tile_centre(at, chart_key: str, row: int, col: int, rows: int, cols: int) -> dict:
    """The data point at the centre of tile ``(row, col)`` of a picture chart's ``rows × cols`` grid."""
    spec = next(
        json.loads(e.proto.spec) for e in at.get("plotly_chart") if e.proto.id.endswith("-" + chart_key)
    )
    (x0, x1), (y1, y0) = spec["layout"]["xaxis"]["range"], spec["layout"]["yaxis"]["range"]  # y points down
    return {"x": x0 + (col + 0.5) * (x1 - x0) / cols, "y": y0 + (row + 0.5) * (y1 - y0) / rows}


def test_grid_cell_clamps_a_tap_into_the_nearest_tile():
    # 16 x 4 tiles over a 482 x 162 picture, y pointing down (range [162, 0])
    grid = dict(x_range=[0, 482], y_range=[162, 0], rows=4, cols=16)
    assert grid_cell(106, 66, **grid) == (1, 3)
    assert grid_cell(-5, -5, **grid) == (0, 0) and grid_cell(999, 999, **grid) == (3, 15)
    assert grid_cell(0.0, 0.0, x_range=[-0.5, 9.5], y_range=[1.5, -0.5], rows=1, cols=5) == (0, 0)
    with pytest.raises(ValueError, match="at least 1"):
        grid_cell(0, 0, x_range=[0, 1], y_range=[0, 1], rows=0, cols=1)


@pytest.mark.slow  # imports TensorFlow and loads the trained GAN
@pytest.mark.usefixtures("isolated_model_cache")
def test_gan_grid_tap_picks_the_sample_like_the_sample_input():
    at = open_page("gan")
    at.number_input(key="gan_pick").set_value(19).run()
    by_input = picked(at, "gan_pick", "gan_value")
    at.number_input(key="gan_pick").set_value(0).run()
    tap(
        at, "gan_grid", tile_centre(at, "gan_grid", 2, 3, rows=8, cols=8)
    )  # sample #19 = row 2, column 3 of 8 × 8
    assert picked(at, "gan_pick", "gan_value") == by_input
    assert at.number_input(key="gan_pick").value == 19


@pytest.mark.slow  # imports TensorFlow and loads the trained CNN
@pytest.mark.usefixtures("offline_keras")
def test_cnn_activations_map_tap_enlarges_that_map():
    at = open_page("cnn_activations")
    mosaics = [e.proto.id.split("-", 2)[-1] for e in at.get("plotly_chart") if "-act_fm_" in e.proto.id]
    first, last = mosaics[0], mosaics[-1]
    channels = {
        k: int(
            next(m.value for m in at.markdown if m.value.startswith(f"**{k[7:]}**"))
            .split("output **")[1]
            .split("**")[0]
            .split(" × ")[-1]
        )
        for k in (first, last)
    }
    from core.figures.feature_maps import half_width_columns

    cols = half_width_columns(channels[last])
    rows = -(-min(channels[last], 64) // cols)
    tap(at, last, tile_centre(at, last, rows - 1, 1, rows=rows, cols=cols))
    expected = (rows - 1) * cols + 1
    assert picked(at, "act_zoom_layer", "act_zoom_map") == (last[7:], expected)
    tapped = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-act_zoom")][0].proto.spec
    at.selectbox(key="act_zoom_layer").set_value(first[7:]).run()  # what the old controls gave
    at.selectbox(key="act_zoom_layer").set_value(last[7:]).run()
    at.slider(key="act_zoom_map").set_value(expected).run()
    assert [c for c in at.get("plotly_chart") if c.proto.id.endswith("-act_zoom")][0].proto.spec == tapped
    assert f"{last[7:]}, map {expected}" in tapped

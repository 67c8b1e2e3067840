"""core.figures.projector: every font a figure draws is raised to the lecture size, none is lowered,
the figure itself is left alone, and Plotly accepts the result."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from core.figures.convolution import closeup_figure, kernel_figure
from core.figures.projector import DENSE_LABELS, MIN_FONT, SCRIPT_FONT, projector_layout


def _sizes(node, path=""):
    """Every ``font.size`` / ``tickfont.size`` / ``textfont.size`` in a figure dict, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("font", "tickfont", "textfont") and isinstance(value, dict) and "size" in value:
                yield f"{path}.{key}", value["size"]
            yield from _sizes(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _sizes(value, f"{path}[{i}]")


def _subplots():
    fig = make_subplots(rows=1, cols=2, subplot_titles=("w<sub>1</sub> over time", "loss"))
    fig.add_trace(go.Scatter(x=[1, 2], y=[3, 4], mode="markers+text", text=["a", "b"], name="points"), 1, 1)
    fig.add_trace(go.Heatmap(z=[[1, 2], [3, 4]], texttemplate="%{z}", textfont=dict(size=9)), 1, 2)
    fig.update_layout(title="Weights", legend=dict(font=dict(size=11)), height=300, margin=dict(t=60))
    fig.update_xaxes(tickfont=dict(size=10), title_text="epoch", row=1, col=1)
    fig.update_annotations(font_size=12)
    fig.add_annotation(text="big", x=1, y=3, showarrow=False, font=dict(size=40))
    return fig


def test_every_font_is_at_least_the_lecture_size_and_none_shrinks():
    fig = _subplots()
    before = json.dumps(fig.to_dict(), sort_keys=True)
    spec = projector_layout(fig.to_dict())
    assert json.dumps(fig.to_dict(), sort_keys=True) == before  # the (shared) figure is untouched
    sizes = dict(_sizes(spec))
    assert sizes and min(sizes.values()) >= MIN_FONT, sizes
    layout = spec["layout"]
    # Axes the figure leaves to the template get an explicit size too (Streamlit's theme says 12).
    for axis in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        assert (
            layout[axis]["tickfont"]["size"] == MIN_FONT and layout[axis]["title"]["font"]["size"] == MIN_FONT
        )
    assert layout["xaxis"]["title"]["text"] == "epoch"
    assert layout["legend"]["font"]["size"] == MIN_FONT
    assert spec["data"][0]["textfont"]["size"] == MIN_FONT  # scatter labels
    assert spec["data"][1]["textfont"]["size"] == MIN_FONT  # heatmap numbers, were 9
    assert spec["data"][1]["colorbar"]["tickfont"]["size"] == MIN_FONT
    texts = {a["text"]: a["font"]["size"] for a in layout["annotations"]}
    assert texts == {"w<sub>1</sub> over time": SCRIPT_FONT, "loss": MIN_FONT, "big": 40}  # 40 stays 40
    assert layout["title"]["font"]["size"] == 24
    assert layout["height"] > int(300 * 1.3) and layout["margin"]["t"] > 60  # room for the larger titles
    go.Figure(spec)  # valid for Plotly


def test_height_scales_and_a_given_height_wins():
    fig = kernel_figure(np.eye(3), title="Kernel", height=260)
    assert projector_layout(fig.to_dict(), height_scale=1.0)["layout"]["height"] >= 260
    assert projector_layout(fig.to_dict(), height=100, height_scale=2.0)["layout"]["height"] >= 200


def test_a_title_with_a_superscript_gets_room_for_two_lines():
    fig = closeup_figure(np.arange(100.0).reshape(10, 10), (2, 2, 3, 3), zmin=0, zmax=99, title="Window")
    spec = projector_layout(fig.to_dict())
    assert spec["layout"]["title"]["font"]["size"] == SCRIPT_FONT  # its <sup> line at 0.7 × 29 > 20
    assert spec["layout"]["margin"]["t"] >= 2 * SCRIPT_FONT * 1.3
    # The plot area keeps the height it had (× 1.3): the margin is added on top.
    plot = spec["layout"]["height"] - spec["layout"]["margin"]["t"] - spec["layout"]["margin"]["b"]
    original = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert plot >= original


def test_dense_panel_labels_are_left_out_and_sparse_ones_kept():
    def grid(n):
        fig = go.Figure(go.Scatter(x=[0], y=[0]))
        for i in range(n):
            fig.add_annotation(text=f"map {i}", x=i, y=0, showarrow=False, font=dict(size=10))
        fig.add_annotation(text="headline", x=0, y=1, showarrow=False, font=dict(size=22))
        return projector_layout(fig.to_dict())["layout"]["annotations"]

    dense = grid(DENSE_LABELS + 1)
    assert [a["text"] for a in dense if a.get("visible") is not False] == ["headline"]
    sparse = grid(DENSE_LABELS)
    assert all(a.get("visible") is not False and a["font"]["size"] >= MIN_FONT for a in sparse)


def test_per_point_text_sizes_are_raised_one_by_one():
    fig = go.Figure(
        go.Scatter(
            x=[1, 2, 3], y=[1, 2, 3], mode="text", text=["a", "b", "c"], textfont=dict(size=[8, 30, 12])
        )
    )
    assert projector_layout(fig.to_dict())["data"][0]["textfont"]["size"] == [MIN_FONT, 30, MIN_FONT]


def test_a_pie_gets_no_cartesian_axes():
    spec = projector_layout(go.Figure(go.Pie(values=[1, 2], labels=["a", "b"])).to_dict())
    assert not [k for k in spec["layout"] if k.startswith(("xaxis", "yaxis"))]


def test_sizes_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        projector_layout({"data": [], "layout": {}}, min_size=0)

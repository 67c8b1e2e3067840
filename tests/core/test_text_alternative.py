"""The text alternative read from a Plotly figure (``core.figures.text_alternative``): what a screen
reader says for a chart."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from core.figures.text_alternative import MAX_CHARS, plain_text, text_alternative


def test_title_kind_and_axes_are_named():
    fig = go.Figure(
        go.Heatmap(z=[[1, 2], [3, 4]]),
        layout={"title": "Feature <b>map</b><br>stride 2", "xaxis_title": "column", "yaxis_title": "row"},
    )
    assert text_alternative(fig) == "Feature map stride 2: heat map; x axis: column, y axis: row."


def test_the_invisible_pick_grid_is_left_out_and_panels_are_named():
    fig = make_subplots(rows=1, cols=2, subplot_titles=["Input", "Output"])
    fig.add_trace(go.Image(z=[[[0, 0, 0]]]), 1, 1)
    fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name="pick", marker={"opacity": 0}), 1, 2)
    assert text_alternative(fig) == "Chart with 2 panels (Input, Output): image."


def test_scatter_modes_and_several_kinds():
    fig = go.Figure([go.Scatter(y=[1, 2], mode="markers"), go.Scatter(y=[1, 2], mode="lines+markers")])
    assert text_alternative(fig.to_dict()) == "Scatter plot and line chart."
    assert text_alternative({"data": []}) == "Chart."


def test_a_long_title_is_cut_to_a_short_description():
    text = text_alternative(go.Figure(go.Bar(y=[1]), layout={"title": "w" * 400}))
    assert len(text) == MAX_CHARS and text.endswith("…")


def test_plain_text_decodes_entities_and_drops_tags():
    assert plain_text("x<sub>1</sub> &amp; x<sup>2</sup>") == "x1 & x2"
    assert plain_text(None) == ""


def test_something_that_is_not_a_figure_is_refused():
    with pytest.raises(ValueError, match="go.Figure"):
        text_alternative([1, 2, 3])


def test_label_only_traces_are_left_out_and_three_kinds_read_as_a_list():
    fig = go.Figure(
        [
            go.Scatter(x=[0], y=[0], mode="text", text=["A"]),
            go.Scatter(y=[1, 2], mode="lines"),
            go.Scatter(y=[1, 2], mode="markers"),
            go.Bar(y=[1]),
        ]
    )
    assert text_alternative(fig) == "Line chart, scatter plot and bar chart."


def test_an_untitled_grid_names_its_first_panel_labels():
    notes = [{"text": f"map {i}", "x": i, "y": 0, "xref": "x", "yref": "y"} for i in range(8)]
    fig = go.Figure(go.Image(z=[[[0, 0, 0]]]), layout={"annotations": notes})
    assert text_alternative(fig) == "Image labelled map 0, map 1, map 2, map 3, map 4, map 5, …"

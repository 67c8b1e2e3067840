"""core.figures.gradients: valid Plotly figures, the overlay's blend, PNG maps without numbers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.figures import gradients as F


def test_overlay_blends_grey_and_colour_half_and_half():
    from matplotlib import colormaps

    image = np.array([[0.0, 1.0], [0.5, 0.25]])
    heat = np.array([[1.0, 0.0], [0.5, 0.0]])
    rgb = F.heat_overlay_rgb(image, heat, alpha=0.5)
    colour = colormaps[F.HEAT_COLORMAP](heat)[:, :, :3]
    expected = np.clip((0.5 * image[:, :, None] + 0.5 * colour) * 255 + 0.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(rgb, expected)
    assert rgb.shape == (2, 2, 3) and rgb.dtype == np.uint8


@pytest.mark.parametrize("numbers", [False, True])
def test_maps_are_valid_figures_and_only_numbered_maps_are_heatmaps(numbers):
    values = np.linspace(-1, 1, 121).reshape(11, 11)
    fig = F.signed_map_figure(values, title="g", numbers=numbers)
    go.Figure(fig.to_dict())  # Plotly's validator accepts it
    kind = fig.data[0].type
    assert kind == ("heatmap" if numbers else "image")
    if numbers:
        assert fig.data[0].text[0][0] == "−1" and fig.data[0].zmin == -1 and fig.data[0].zmax == 1


def test_epsilon_curve_marks_exactly_the_flipped_epsilons():
    eps = np.array([0.1, 0.2, 0.3, 0.4])
    fig = F.epsilon_sweep_figure(
        eps, np.array([7, 2, 7, 3]), np.array([0.9, 0.4, 0.6, 0.1]), label=7, chosen=0.2
    )
    go.Figure(fig.to_dict())
    flipped = fig.data[1]
    assert list(flipped.x) == [0.2, 0.4] and list(flipped.text) == ["2", "3"]
    assert fig.layout.shapes[0].x0 == 0.2


def test_channel_weights_are_drawn_in_thousandths_with_the_chosen_channel_red():
    fig = F.channel_weights_figure(np.array([0.002, -0.001, 0.0005]), highlight=2)
    go.Figure(fig.to_dict())
    assert list(fig.data[0].y) == pytest.approx([2.0, -1.0, 0.5])
    assert fig.data[0].marker.color[2] == "#d7301f"

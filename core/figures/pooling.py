"""Plotly figures for the Pooling page. They return figures, never call Streamlit.

Colours follow :mod:`core.figures.common` (grey images, ``RdBu_r`` for signed maps, numbers in small
matrices). The Layer arithmetic page's figures are in :mod:`core.figures.layer_arithmetic`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.common import DIVERGING, image_to_rgb_uint8, matrix_figure

WINDOW_COLOR = "#ff7f0e"  # the selected window / output cell
WINNER_COLOR = "#d62728"


def _colours(values: np.ndarray) -> dict:
    """``zmin``, ``zmax`` and ``colorscale`` for :func:`matrix_figure`: a diverging scale symmetric
    about 0 when a value is negative, else grey from the smallest to the largest value."""
    lo, hi = float(values.min()), float(values.max())
    if lo < 0 < hi or (lo < 0 and hi <= 0):
        m = max(abs(lo), abs(hi), 1e-12)
        return {"zmin": -m, "zmax": m, "colorscale": DIVERGING}
    return {"zmin": lo, "zmax": max(hi, lo + 1e-12), "colorscale": "gray"}


def pooling_input_figure(
    x,
    window: tuple[int, int, int, int],
    *,
    winners=None,
    selected_winner: tuple[int, int] | None = None,
    title: str = "Input",
    tiles: Sequence[tuple[int, int, int, int]] = (),
    height: int = 380,
) -> go.Figure:
    """The input matrix with the selected pooling window outlined and the winners ringed.

    Parameters
    ----------
    x : ndarray (H, W), float
    window : (r0, r1, c0, c1)
        Half-open rows/columns of the selected window (:func:`core.maths.pooling.pool_window`).
    winners : (rows, cols) of ndarray of int, optional
        Winner of every window (max pooling); each gets a thin ring.
    selected_winner : (row, col), optional
        The selected window's winner, drawn as a thick ring.
    tiles : sequence of (r0, r1, c0, c1)
        Every window, outlined thinly (pass them only when windows do not overlap).
    """
    x = np.asarray(x, dtype=np.float32)
    r0, r1, c0, c1 = window
    fig = matrix_figure(
        x,
        **_colours(x),
        title=title,
        show_numbers=None,
        boxes=[((r0, c0, r1 - r0, c1 - c0), WINDOW_COLOR)],
        height=height,
    )
    for t0, t1, u0, u1 in tiles:
        fig.add_shape(
            type="rect",
            x0=u0 - 0.5,
            x1=u1 - 0.5,
            y0=t0 - 0.5,
            y1=t1 - 0.5,
            layer="above",
            line=dict(color="rgba(255,127,14,0.55)", width=1.5, dash="dot"),
        )
    if winners is not None:
        rows, cols = (np.asarray(a).ravel() for a in winners)
        fig.add_trace(
            go.Scatter(
                x=cols,
                y=rows,
                mode="markers",
                name="winners",
                showlegend=False,
                marker=dict(symbol="circle-open", size=26, color=WINNER_COLOR, line=dict(width=1.5)),
                hoverinfo="skip",
            )
        )
    if selected_winner is not None:
        fig.add_trace(
            go.Scatter(
                x=[selected_winner[1]],
                y=[selected_winner[0]],
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                marker=dict(symbol="circle-open", size=34, color=WINNER_COLOR, line=dict(width=4)),
            )
        )
    return fig


def pooling_output_figure(
    pooled, selected: tuple[int, int], *, title: str = "Pooled", height: int = 300
) -> go.Figure:
    """The pooled matrix with its numbers, the selected cell outlined; clicking a cell selects it."""
    pooled = np.asarray(pooled, dtype=np.float32)
    return matrix_figure(
        pooled,
        **_colours(pooled),
        title=title,
        show_numbers=None,
        boxes=[((selected[0], selected[1], 1, 1), WINDOW_COLOR)],
        pick_grid=True,
        height=height,
    )


def translation_figure(report, *, height: int = 560) -> go.Figure:
    """Conv maps and pooled maps, before and after the shift, with their absolute differences.

    Parameters
    ----------
    report : core.maths.translation.TranslationReport
    """

    def compared(a, b, region):
        diff = np.full(a.shape, np.nan, np.float32)
        r0, r1, c0, c1 = region
        diff[r0:r1, c0:c1] = np.abs(a - b)[r0:r1, c0:c1]
        return diff

    panels = [
        (report.feature_map, "Conv map"),
        (report.feature_map_shifted, "Conv map, input shifted"),
        (compared(report.feature_map, report.feature_map_shifted, report.conv_region), "|difference|"),
        (report.pooled, "Pooled"),
        (report.pooled_shifted, "Pooled, input shifted"),
        (compared(report.pooled, report.pooled_shifted, report.pooled_region), "|difference|"),
    ]
    fig = make_subplots(
        rows=2, cols=3, subplot_titles=[t for _, t in panels], horizontal_spacing=0.03, vertical_spacing=0.08
    )
    top = max(float(np.abs(report.feature_map).max()), float(np.abs(report.feature_map_shifted).max()), 1e-12)
    for i, (values, _) in enumerate(panels):
        r, c = divmod(i, 3)
        diff = c == 2
        fig.add_trace(
            go.Heatmap(
                z=values,
                zmin=0,
                zmax=top,
                colorscale="Reds" if diff else "gray",
                showscale=False,
                hovertemplate="row %{y}, col %{x}: %{z:.4g}<extra></extra>",
            ),
            row=r + 1,
            col=c + 1,
        )
        fig.update_xaxes(visible=False, constrain="domain", row=r + 1, col=c + 1)
        fig.update_yaxes(
            visible=False,
            autorange="reversed",
            scaleanchor=f"x{i + 1 if i else ''}",
            constrain="domain",
            row=r + 1,
            col=c + 1,
        )
    fig.update_layout(height=height, margin=dict(l=4, r=4, t=40, b=4))
    return fig


def feature_figure(values, *, title: str = "", height: int = 420) -> go.Figure:
    """An image or feature map at its own resolution: RGB as colour, one channel in grey (min → black).

    Small maps (at most 16 per side) carry their numbers; a pooled map drawn at the same height as
    its input shows the lost resolution as bigger pixels.
    """
    arr = np.asarray(values, dtype=np.float32)
    if arr.ndim == 3 and arr.shape[2] == 3:
        return matrix_figure(
            arr.mean(axis=2),
            zmin=0,
            zmax=255,
            title=title,
            rgb=image_to_rgb_uint8(arr),
            height=height,
            show_numbers=False,
        )
    if arr.ndim == 3:
        arr = arr[:, :, 0]
    return matrix_figure(arr, **_colours(arr), title=title, height=height)


def translation_curve_figure(
    shifts,
    conv_difference,
    pooled_difference,
    *,
    pool_size: int,
    marked: int | None = None,
    height: int = 320,
) -> go.Figure:
    """Relative change of the conv map and of the pooled map against the size of the shift."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(shifts),
            y=list(conv_difference),
            mode="lines+markers",
            name="conv only",
            line=dict(color="#7f7f7f", width=3),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(shifts),
            y=list(pooled_difference),
            mode="lines+markers",
            name=f"conv + {pool_size}×{pool_size} pooling",
            line=dict(color=WINNER_COLOR, width=3),
        )
    )
    if marked is not None:
        fig.add_vline(x=marked, line=dict(color=WINDOW_COLOR, dash="dot"))
    fig.update_xaxes(title_text="shift (pixels)", dtick=1)
    fig.update_yaxes(title_text="change (0 = none, 1 = nothing in common)", range=[0, 1.05], tickformat=".0%")
    fig.update_layout(
        height=height, margin=dict(l=4, r=4, t=10, b=4), legend=dict(orientation="h", y=1.15, x=0)
    )
    return fig

"""Figures of the gradient views (saliency, Grad-CAM, FGSM): maps over the 28 × 28 digit.

Maps with their numbers written in the cells are heatmaps (``core.figures.common.matrix_figure``); the
other maps travel as lossless PNGs (a full page rerun resends every figure); the Grad-CAM overlay is
one picture: the digit in grey with the map in colour on top.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.common import DIVERGING, matrix_figure

#: The colour map of heat overlays (matplotlib's ``turbo``: blue low, red high).
HEAT_COLORMAP = "turbo"


def _colour(values, zmin: float, zmax: float, cmap: str) -> np.ndarray:
    """``values`` (H, W) through matplotlib's colour map ``cmap`` between ``zmin`` and ``zmax``:
    (H, W, 3) uint8."""
    from matplotlib import colormaps

    v = (np.asarray(values, np.float32) - zmin) / max(zmax - zmin, 1e-12)
    return (colormaps[cmap](np.clip(v, 0, 1))[:, :, :3] * 255 + 0.5).astype(np.uint8)


def _map_figure(
    values, *, zmin: float, zmax: float, cmap: str, colorscale: str, title: str, numbers: bool, height: int
) -> go.Figure:
    """With ``numbers``: a heatmap with the values written and hovered; without, one lossless PNG
    (about 1 kB for 28 × 28 instead of 12 kB of per-pixel JSON on every rerun)."""
    v = np.asarray(values, np.float32)
    rgb = None if numbers else _colour(v, zmin, zmax, cmap)
    return matrix_figure(
        v,
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        title=title,
        show_numbers=numbers,
        rgb=rgb,
        height=height,
    )


def gradient_map_figure(values, *, title: str, numbers: bool = False, height: int = 300) -> go.Figure:
    """A non-negative map (|gradient|, saliency, a ReLU feature map) in grey, black = 0, white = its
    maximum; ``numbers`` writes each value in its cell (else the map travels as a PNG).

    Parameters
    ----------
    values : ndarray (H, W), float ≥ 0
    """
    top = float(np.max(values))
    return _map_figure(
        values,
        zmin=0.0,
        zmax=top if top > 0 else 1.0,
        cmap="gray",
        colorscale="gray",
        title=title,
        numbers=numbers,
        height=height,
    )


def digit_figure(image, *, title: str, height: int = 300) -> go.Figure:
    """A model input ``(H, W)`` or ``(H, W, 1)`` with pixel values in [0, 1], grey, as a PNG."""
    v = np.asarray(image, np.float32)
    return _map_figure(
        v.reshape(v.shape[:2]),
        zmin=0.0,
        zmax=1.0,
        cmap="gray",
        colorscale="gray",
        title=title,
        numbers=False,
        height=height,
    )


def signed_map_figure(
    values, *, title: str, numbers: bool = False, height: int = 300, limit: float | None = None
) -> go.Figure:
    """A signed map on the diverging scale centred on 0 (blue < 0 < red), ± ``limit`` (default its
    largest |value|); ``numbers`` writes each value in its cell (else the map travels as a PNG)."""
    v = np.asarray(values, np.float32)
    m = limit if limit is not None else max(float(np.abs(v).max()), 1e-12)
    return _map_figure(
        v, zmin=-m, zmax=m, cmap=DIVERGING, colorscale=DIVERGING, title=title, numbers=numbers, height=height
    )


def heat_overlay_rgb(image, heat, *, alpha: float = 0.5) -> np.ndarray:
    """The grey image with ``heat`` blended on top in :data:`HEAT_COLORMAP`.

    Parameters
    ----------
    image : ndarray (H, W) or (H, W, 1), float in [0, 1]
    heat : ndarray (H, W), float in [0, 1]
    alpha : float in [0, 1]
        Weight of the colour: ``(1 − alpha) · grey + alpha · colour(heat)``.

    Returns
    -------
    ndarray (H, W, 3), uint8
    """
    from matplotlib import colormaps

    grey = np.clip(np.asarray(image, np.float32).reshape(np.shape(heat)), 0, 1)[:, :, None]
    colour = colormaps[HEAT_COLORMAP](np.clip(np.asarray(heat, np.float32), 0, 1))[:, :, :3]
    return np.clip(((1 - alpha) * grey + alpha * colour) * 255 + 0.5, 0, 255).astype(np.uint8)


def heat_overlay_figure(image, heat, *, title: str, height: int = 300) -> go.Figure:
    """:func:`heat_overlay_rgb` as a figure; hovering shows ``heat``."""
    return matrix_figure(
        np.asarray(heat, np.float32),
        zmin=0.0,
        zmax=1.0,
        rgb=heat_overlay_rgb(image, heat),
        title=title,
        show_numbers=False,
        height=height,
    )


def channel_weights_figure(weights, *, highlight: int | None = None, height: int = 240) -> go.Figure:
    """Grad-CAM's channel weights ``α_k`` as bars (× 1000), channel ``highlight`` in red."""
    w = np.asarray(weights, np.float64).reshape(-1) * 1000
    colors = ["#d7301f" if k == highlight else ("#4c78a8" if v >= 0 else "#9ecae1") for k, v in enumerate(w)]
    bar = dict(
        type="bar",
        x=[str(k) for k in range(w.size)],
        y=w,
        marker=dict(color=colors),
        hovertemplate="channel %{x}: α = %{y:.4g} × 10⁻³<extra></extra>",
    )
    layout = dict(
        title=dict(text="Channel weights α<sub>k</sub> (× 10⁻³)", x=0.5, xanchor="center"),
        height=height,
        template={},
        margin=dict(l=50, r=10, t=40, b=40),
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(type="category", title=dict(text="channel k")),
        yaxis=dict(zeroline=True, zerolinecolor="#888", gridcolor="#ddd"),
    )
    return go.Figure(dict(data=[bar], layout=layout), _validate=False)


def epsilon_sweep_figure(
    epsilons, predictions, label_probability, *, label: int, chosen: float | None = None, height: int = 260
) -> go.Figure:
    """FGSM over the ε grid: the probability the network still gives class ``label`` (line), and the
    predicted class at each ε written over red markers where it is not ``label`` (say so beside it).

    Parameters
    ----------
    epsilons : ndarray (E,), float
    predictions : ndarray (E,), int
    label_probability : ndarray (E,), float in [0, 1]
    chosen : float, optional
        The ε on the slider, drawn as a vertical line.
    """
    eps = np.asarray(epsilons, np.float64)
    prob = np.asarray(label_probability, np.float64)
    pred = np.asarray(predictions)
    flipped = pred != label
    line = dict(
        type="scatter",
        x=eps,
        y=prob,
        mode="lines+markers",
        name=f"P({label})",
        marker=dict(color="#4c78a8", size=6),
        hovertemplate="ε = %{x:.2f}: P(" + str(label) + ") = %{y:.3f}<extra></extra>",
        showlegend=False,
    )
    flips = dict(
        type="scatter",
        x=eps[flipped],
        y=prob[flipped],
        mode="markers+text",
        name="flipped",
        text=[str(p) for p in pred[flipped]],
        textposition="top center",
        showlegend=False,
        marker=dict(color="#d7301f", size=9),
        textfont=dict(color="#d7301f", size=12),
        hovertemplate="ε = %{x:.2f}: predicted %{text}<extra></extra>",
    )
    shapes = (
        []
        if chosen is None
        else [
            dict(type="line", x0=chosen, x1=chosen, y0=0, y1=1, yref="y", line=dict(color="#444", dash="dot"))
        ]
    )
    layout = dict(
        title=dict(text=f"P({label}) as ε grows", x=0.5, xanchor="center"),
        height=height,
        template={},
        margin=dict(l=50, r=10, t=40, b=40),
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(title=dict(text="ε"), gridcolor="#ddd"),
        shapes=shapes,
        yaxis=dict(title=dict(text=f"P({label})"), range=[-0.05, 1.12], gridcolor="#ddd"),
    )
    return go.Figure(dict(data=[line, flips], layout=layout), _validate=False)

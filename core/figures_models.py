"""Plotly figures for the trained-model pages: feature-map grids, filters, probabilities, curves.

They return figures and never call Streamlit. Colours follow ``core.figures``: grey (black = 0)
for non-negative maps such as ReLU outputs, ``RdBu_r`` centred on 0 for signed values and kernels.
"""
from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures import DIVERGING

#: Mosaics with more cells than this are drawn as one PNG (no hover values) to stay fast.
HEATMAP_MAX_CELLS = 120_000
#: Longest side, in pixels, of a mosaic drawn as a PNG.
PNG_MAX_SIDE = 1400


def grid_columns(n_maps: int) -> int:
    """Columns of a feature-map grid: 8 for 16 maps (the seed's 2x8), at most 8, else ceil(sqrt)."""
    return int(min(8, max(1, np.ceil(np.sqrt(n_maps)) if n_maps < 16 else 8)))


def tile_maps(maps: np.ndarray, *, cols: int, scale: str = "shared",
              gap: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lay feature maps (H, W, C) out as one mosaic image, map k at row k // cols, col k % cols.

    Parameters
    ----------
    maps : ndarray of shape (H, W, C)
        Activations of one layer for one image.
    cols : int
        Maps per row.
    scale : {"shared", "per map"}
        "shared": one colour scale for all maps (compare strengths); "per map": each map
        stretched to its own range (see the pattern of weak maps).
    gap : int
        NaN pixels between maps (drawn transparent).

    Returns
    -------
    display : ndarray (R, Cc), float64
        Values in [0, 1] for non-negative layers, [-1, 1] for signed ones; NaN in gaps.
    raw : ndarray (R, Cc)
        The activations themselves; NaN in gaps.
    index : ndarray (R, Cc, 3), int
        (map, row, col) of each mosaic pixel; -1 in gaps.

    Raises
    ------
    ValueError
        If ``maps`` is not 3-D, ``cols`` < 1 or ``scale`` is unknown.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3:
        raise ValueError(f"maps must have shape (H, W, C), got {maps.shape}")
    if cols < 1:
        raise ValueError(f"cols must be >= 1, got {cols}")
    if scale not in ("shared", "per map"):
        raise ValueError(f"scale must be 'shared' or 'per map', got {scale!r}")
    h, w, c = maps.shape
    rows = -(-c // cols)
    peak = np.abs(maps).max(axis=(0, 1)) if scale == "per map" else np.full(c, np.abs(maps).max())
    norm = maps / np.maximum(peak, 1e-12)
    big_h, big_w = rows * h + (rows - 1) * gap, cols * w + (cols - 1) * gap
    display = np.full((big_h, big_w), np.nan)
    raw = np.full((big_h, big_w), np.nan)
    index = np.full((big_h, big_w, 3), -1, dtype=np.int64)
    rr, cc = np.indices((h, w))
    for k in range(c):
        top, left = (k // cols) * (h + gap), (k % cols) * (w + gap)
        display[top:top + h, left:left + w] = norm[:, :, k]
        raw[top:top + h, left:left + w] = maps[:, :, k]
        index[top:top + h, left:left + w] = np.stack([np.full_like(rr, k), rr, cc], axis=-1)
    return display, raw, index


def _png_trace(display: np.ndarray, signed: bool) -> go.Image:
    from matplotlib import colormaps
    from PIL import Image

    lo = -1.0 if signed else 0.0
    norm = np.clip((np.nan_to_num(display, nan=lo) - lo) / (1.0 - lo), 0, 1)
    rgb = (colormaps[DIVERGING if signed else "gray"](norm)[:, :, :3] * 255).astype(np.uint8)
    rgb[np.isnan(display)] = 255
    image = Image.fromarray(rgb)
    if max(image.size) > PNG_MAX_SIDE:
        factor = PNG_MAX_SIDE / max(image.size)
        image = image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))),
                             Image.Resampling.BOX)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return go.Image(source="data:image/png;base64," + base64.b64encode(buf.getvalue()).decode(),
                    hoverinfo="skip")


def feature_maps_figure(maps: np.ndarray, *, title: str = "", scale: str = "shared",
                        cols: int | None = None, max_maps: int = 64,
                        height: int | None = None) -> go.Figure:
    """A layer's feature maps as a grid (one mosaic), hover giving map, row, column and value.

    Parameters
    ----------
    maps : ndarray of shape (H, W, C)
        Only the first ``max_maps`` maps are drawn.
    scale : {"shared", "per map"}
        See ``tile_maps``.
    cols : int, optional
        Default ``grid_columns(C)`` (2 x 8 for 16 maps).

    Returns
    -------
    go.Figure
        A heatmap with hover values, or a PNG image for very large mosaics.
    """
    maps = np.asarray(maps)[:, :, :max_maps]
    cols = cols or grid_columns(maps.shape[2])
    signed = bool(np.nanmin(maps) < 0)
    as_heatmap = maps.size <= HEATMAP_MAX_CELLS
    if not as_heatmap:  # a photo's maps: average f x f blocks so the mosaic fits PNG_MAX_SIDE
        f = int(np.ceil(maps.shape[1] * cols / PNG_MAX_SIDE))
        if f > 1:
            h, w = maps.shape[0] // f * f, maps.shape[1] // f * f
            maps = maps[:h, :w].reshape(h // f, f, w // f, f, -1).mean(axis=(1, 3))
    display, raw, index = tile_maps(maps, cols=cols, scale=scale)
    fig = go.Figure()
    if as_heatmap:
        custom = np.concatenate([index, np.nan_to_num(raw)[..., None]], axis=-1)
        fig.add_trace(go.Heatmap(
            z=display, zmin=-1 if signed else 0, zmax=1, colorscale=DIVERGING if signed else "gray",
            showscale=False, customdata=custom, hoverongaps=False,
            hovertemplate="map %{customdata[0]:.0f}, row %{customdata[1]:.0f}, "
                          "col %{customdata[2]:.0f}: %{customdata[3]:.4g}<extra></extra>"))
        fig.update_xaxes(range=[-0.5, display.shape[1] - 0.5])
        fig.update_yaxes(range=[display.shape[0] - 0.5, -0.5], scaleanchor="x")
    else:
        fig.add_trace(_png_trace(display, signed))
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, constrain="domain")
    rows = -(-maps.shape[2] // cols)
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center"), dragmode=False,
                      height=height or int(min(900, max(160, 110 * rows * maps.shape[0]
                                                        / max(maps.shape[1], 1)) + 50)),
                      margin=dict(l=4, r=4, t=40 if title else 4, b=4),
                      plot_bgcolor="rgba(0,0,0,0)")
    return fig


def vector_figure(values: np.ndarray, *, title: str = "", labels=None,
                  highlight: int | None = None, height: int = 260) -> go.Figure:
    """A dense layer's activations (or class probabilities) as bars."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    labels = [str(i) for i in range(values.size)] if labels is None else [str(s) for s in labels]
    colors = ["#d7301f" if i == highlight else "#4c78a8" for i in range(values.size)]
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=colors,
                           hovertemplate="%{x}: %{y:.4g}<extra></extra>"))
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center"), height=height,
                      margin=dict(l=40, r=10, t=40 if title else 10, b=30),
                      xaxis=dict(type="category"))
    return fig


def steps_figure(steps: list[tuple[str, np.ndarray]], *, height: int = 230) -> go.Figure:
    """The preprocessing steps side by side, each titled with its name and shape (grey, 0..1)."""
    titles = [f"{name}<br>{' × '.join(map(str, arr.shape))}" for name, arr in steps]
    fig = make_subplots(rows=1, cols=len(steps), subplot_titles=titles, horizontal_spacing=0.02)
    for i, (_, arr) in enumerate(steps, start=1):
        fig.add_trace(go.Heatmap(z=np.asarray(arr, np.float64), zmin=0, zmax=1, colorscale="gray",
                                 showscale=False,
                                 hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>"),
                      row=1, col=i)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{i}", visible=False, row=1, col=i)
        fig.update_xaxes(visible=False, row=1, col=i)
    fig.update_layout(height=height, margin=dict(l=4, r=4, t=50, b=4))
    fig.update_annotations(font_size=12)
    return fig


def kernels_grid_figure(kernels: np.ndarray, *, titles: list[str], cols: int = 8,
                        shared_scale: bool = True, height: int | None = None) -> go.Figure:
    """Small kernels (k, k, N) as a grid of signed heatmaps with their numbers, on a scale
    centred on 0 (blue negative, red positive): one for all, or one per kernel."""
    kernels = np.asarray(kernels, dtype=np.float64)
    k, _, n = kernels.shape
    rows = -(-n // cols)
    peaks = np.abs(kernels).max(axis=(0, 1)) if not shared_scale else \
        np.full(n, np.abs(kernels).max())
    peaks = np.maximum(peaks, 1e-12)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.01,
                        vertical_spacing=0.12)
    for i in range(n):
        r, c = i // cols + 1, i % cols + 1
        z = kernels[:, :, i]
        fig.add_trace(go.Heatmap(z=z, zmin=-peaks[i], zmax=peaks[i], colorscale=DIVERGING,
                                 showscale=False,
                                 text=[[f"{v:.2g}" for v in row] for row in z],
                                 texttemplate="%{text}" if k <= 5 else None,
                                 textfont=dict(size=9),
                                 hovertemplate="%{z:.4g}<extra></extra>"), row=r, col=c)
        fig.update_yaxes(autorange="reversed", visible=False, row=r, col=c)
        fig.update_xaxes(visible=False, row=r, col=c)
    fig.update_layout(height=height or 140 * rows + 40, margin=dict(l=4, r=4, t=40, b=4))
    fig.update_annotations(font_size=10)
    return fig


def history_figure(history: dict) -> go.Figure:
    """Loss and accuracy per epoch, training vs test split (``val_*`` keys of a Keras history)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=["Loss", "Accuracy"])
    for col, metric in ((1, "loss"), (2, "accuracy")):
        for prefix, name, color in (("", "training", "#4c78a8"), ("val_", "test split", "#d7301f")):
            values = history.get(prefix + metric)
            if values:
                fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, name=name,
                                         mode="lines+markers", line=dict(color=color),
                                         legendgroup=name, showlegend=col == 1), row=1, col=col)
        fig.update_xaxes(title_text="epoch", row=1, col=col)
    fig.update_layout(height=300, margin=dict(l=40, r=10, t=40, b=40))
    return fig


def confusion_figure(matrix, *, labels=None) -> go.Figure:
    """A confusion matrix (rows = true class, columns = predicted) with counts in the cells."""
    cm = np.asarray(matrix)
    labels = [str(i) for i in range(cm.shape[0])] if labels is None else [str(s) for s in labels]
    fig = go.Figure(go.Heatmap(z=cm, x=labels, y=labels, colorscale="Blues", showscale=False,
                               text=cm, texttemplate="%{text}",
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_xaxes(title_text="predicted", type="category")
    fig.update_yaxes(title_text="true", type="category", autorange="reversed")
    fig.update_layout(height=380, margin=dict(l=40, r=10, t=10, b=40))
    return fig

"""Plotly figures for the trained-model pages: feature-map grids, filters, probabilities, curves.

They return figures and never call Streamlit. Colours follow ``core.figures.common``: grey (black = 0)
for non-negative maps such as ReLU outputs, ``RdBu_r`` centred on 0 for signed values and kernels.

They are on the CNN activations page's click path, so, like ``core.figures.common.matrix_figure``, they
are assembled from plain dicts and not re-validated by Plotly (``tests/core/test_models.py``
validates their output instead), and rasters travel as pictures: a layer's feature maps are one
palette PNG (one byte a pixel, gaps transparent), not per-pixel heatmap JSON. Hover values are
kept where they teach: the enlarged single map (``core.figures.common.matrix_figure``), the kernels, the
28 × 28 preprocessing steps.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.figures.common import (
    DIVERGING,
    HEATMAP_MAX_SIDE,
    colorscale_stops,
    encode_raster,
    panel_title,
    picture_layout,
)

#: Width, in pixels, a feature-map mosaic is kept under (a photo's maps are block-averaged to fit).
PNG_MAX_SIDE = 1400
#: Mosaics up to this many pixels are palette PNGs (exact); larger ones (a photo's maps) JPEG.
PALETTE_MAX_PIXELS = 256 * 256
#: Longest side of a preprocessing step drawn as a picture (the panels are ~150 px wide).
STEP_MAX_SIDE = 160


def grid_columns(n_maps: int) -> int:
    """Columns of a feature-map grid: 8 for 16 maps (the seed's 2x8), at most 8, else ceil(sqrt)."""
    return int(min(8, max(1, np.ceil(np.sqrt(n_maps)) if n_maps < 16 else 8)))


def half_width_columns(n_maps: int) -> int:
    """Columns of a feature-map grid drawn in half the page's width: beside another layer's on a laptop,
    full width on a phone (Streamlit stacks columns below 640 px). 4 up to 32 maps, so a phone's
    ~358 px give tiles of ~85 px, twice a fingertip; 8 for more (~44 px), as :func:`grid_columns` for
    fewer than 4.

    >>> half_width_columns(16), half_width_columns(32), half_width_columns(64), half_width_columns(3)
    (4, 4, 8, 2)
    """
    if n_maps < 1:
        raise ValueError(f"n_maps must be at least 1, got {n_maps}")
    return 4 if 4 <= n_maps <= 32 else grid_columns(n_maps)


def tile_maps(
    maps: np.ndarray, *, cols: int, scale: str = "shared", gap: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        display[top : top + h, left : left + w] = norm[:, :, k]
        raw[top : top + h, left : left + w] = maps[:, :, k]
        index[top : top + h, left : left + w] = np.stack([np.full_like(rr, k), rr, cc], axis=-1)
    return display, raw, index


def _figure(data: list, layout: dict) -> go.Figure:
    """A figure from plain dicts, not re-validated (see the module docstring)."""
    return go.Figure(dict(data=data, layout=layout), _validate=False)


def _palette_png(display: np.ndarray, signed: bool) -> str:
    """A mosaic (values in [0, 1], or [-1, 1] if ``signed``; NaN gaps) as a palette PNG data URI:
    254 colours of the layer's scale, index 255 transparent."""
    from matplotlib import colormaps
    from PIL import Image

    lo = -1.0 if signed else 0.0
    index = np.round((np.clip(np.nan_to_num(display, nan=lo), lo, 1.0) - lo) / (1.0 - lo) * 254)
    index = index.astype(np.uint8)
    index[np.isnan(display)] = 255
    colours = colormaps[DIVERGING if signed else "gray"](np.linspace(0.0, 1.0, 255))[:, :3]
    image = Image.fromarray(index, mode="P")
    image.putpalette([*(colours * 255 + 0.5).astype(np.uint8).ravel().tolist(), 255, 255, 255])
    buf = io.BytesIO()
    image.save(buf, format="PNG", transparency=255)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _rgb_raster(display: np.ndarray, signed: bool) -> str:
    """A large mosaic as an RGB picture (gaps white): ``core.figures.common.encode_raster``'s JPEG URI."""
    from matplotlib import colormaps

    lo = -1.0 if signed else 0.0
    norm = np.clip((np.nan_to_num(display, nan=lo) - lo) / (1.0 - lo), 0, 1)
    rgb = (colormaps[DIVERGING if signed else "gray"](norm)[:, :, :3] * 255 + 0.5).astype(np.uint8)
    rgb[np.isnan(display)] = 255
    return encode_raster(rgb)


@dataclass(frozen=True)
class MapMosaic:
    """A layer's feature maps as one picture: what :func:`mosaic_figure` draws.

    Small and picklable, so the pages can cache it per (model, input, layer, scale).

    Attributes
    ----------
    source : str
        ``data:`` URI of the picture: palette PNG, or JPEG for a photo's large maps.
    width, height : int
        The picture's size in pixels.
    rows, cols : int
        Grid of maps.
    map_shape : tuple of int
        (h, w) of one map as drawn (after block averaging for a photo).
    signed : bool
        Diverging scale (some values < 0), else grey.
    """

    source: str
    width: int
    height: int
    rows: int
    cols: int
    map_shape: tuple
    signed: bool


def feature_maps_mosaic(
    maps: np.ndarray, *, scale: str = "shared", cols: int | None = None, max_maps: int = 64
) -> MapMosaic:
    """Lay a layer's feature maps out as one compressed picture (see :func:`tile_maps`).

    Parameters
    ----------
    maps : ndarray of shape (H, W, C), float
        Only the first ``max_maps`` maps are drawn. Maps wider than ``PNG_MAX_SIDE / cols``
        pixels are averaged over f x f blocks first (a photo's maps).
    scale : {"shared", "per map"}
        See :func:`tile_maps`.
    cols : int, optional
        Default ``grid_columns(C)`` (2 x 8 for 16 maps).

    Returns
    -------
    MapMosaic
        Grey (black = 0) for non-negative maps, ``RdBu_r`` centred on 0 if any value is < 0;
        1-pixel gaps between maps, transparent in a PNG, white in a JPEG.

    Raises
    ------
    ValueError
        If ``maps`` is not 3-D or ``scale`` is unknown.
    """
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"maps must have shape (H, W, C), got {maps.shape}")
    maps = maps[:, :, :max_maps]
    cols = cols or grid_columns(maps.shape[2])
    signed = bool(np.nanmin(maps) < 0)
    f = int(np.ceil(maps.shape[1] * cols / PNG_MAX_SIDE))
    if f > 1:
        h, w = maps.shape[0] // f * f, maps.shape[1] // f * f
        maps = maps[:h, :w].reshape(h // f, f, w // f, f, -1).mean(axis=(1, 3))
    display, _, _ = tile_maps(maps, cols=cols, scale=scale)
    source = (
        _palette_png(display, signed) if display.size <= PALETTE_MAX_PIXELS else _rgb_raster(display, signed)
    )
    return MapMosaic(
        source=source,
        width=display.shape[1],
        height=display.shape[0],
        rows=-(-maps.shape[2] // cols),
        cols=cols,
        map_shape=maps.shape[:2],
        signed=signed,
    )


def mosaic_figure(mosaic: MapMosaic, *, title: str = "", height: int | None = None) -> go.Figure:
    """A :class:`MapMosaic` as a figure (no hover values: the page enlarges one map for those).

    Default height: about 110 px per row of maps, 160 to 900 px.
    """
    w, h = mosaic.width, mosaic.height
    map_h, map_w = mosaic.map_shape
    height = height or int(min(900, max(160, 110 * mosaic.rows * map_h / max(map_w, 1)) + 50))
    layout = picture_layout(w, h, height=height, title=title, paper_bgcolor="rgba(0,0,0,0)")
    return _figure([dict(type="image", source=mosaic.source, hoverinfo="skip")], layout)


def feature_maps_figure(
    maps: np.ndarray,
    *,
    title: str = "",
    scale: str = "shared",
    cols: int | None = None,
    max_maps: int = 64,
    height: int | None = None,
) -> go.Figure:
    """A layer's feature maps as a grid: :func:`mosaic_figure` of :func:`feature_maps_mosaic`,
    whose parameters ``maps``, ``scale``, ``cols`` and ``max_maps`` it takes.

    Returns
    -------
    go.Figure
        One image trace (a palette PNG, or a JPEG for a photo's maps).
    """
    return mosaic_figure(
        feature_maps_mosaic(maps, scale=scale, cols=cols, max_maps=max_maps), title=title, height=height
    )


def vector_figure(
    values: np.ndarray, *, title: str = "", labels=None, highlight: int | None = None, height: int = 260
) -> go.Figure:
    """A dense layer's activations (or class probabilities) as bars.

    Parameters
    ----------
    values : array_like of shape (N,), float
    labels : sequence of N, optional
        Bar labels (default "0" .. "N-1"), on a category axis.
    highlight : int, optional
        Index of the bar drawn in red (the predicted class).
    """
    values = np.asarray(values, dtype=np.float32).reshape(-1)
    labels = [str(i) for i in range(values.size)] if labels is None else [str(s) for s in labels]
    colors = ["#d7301f" if i == highlight else "#4c78a8" for i in range(values.size)]
    bar = dict(
        type="bar",
        x=labels,
        y=values,
        marker=dict(color=colors),
        hovertemplate="%{x}: %{y:.4g}<extra></extra>",
    )
    return _figure(
        [bar],
        dict(
            title=dict(text=title, x=0.5, xanchor="center"),
            height=height,
            margin=dict(l=40, r=10, t=40 if title else 10, b=30),
            xaxis=dict(type="category"),
        ),
    )


def _gray_picture(values: np.ndarray, max_side: int) -> tuple[str, int, int]:
    """A (H, W) array in [0, 1] shrunk to ``max_side`` as ``core.figures.common.encode_raster``'s data
    URI (PNG if small, else JPEG); returns (uri, width, height) in pixels."""
    from PIL import Image

    image = Image.fromarray(np.asarray(values, np.float32), mode="F")
    if max(image.size) > max_side:
        factor = max_side / max(image.size)
        image = image.resize(
            (max(1, round(image.width * factor)), max(1, round(image.height * factor))), Image.Resampling.BOX
        )
    gray = (np.clip(np.asarray(image), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    return encode_raster(np.dstack([gray] * 3)), gray.shape[1], gray.shape[0]


def steps_figure(steps: list[tuple[str, np.ndarray]], *, height: int = 230) -> go.Figure:
    """The preprocessing steps side by side, each titled with its name and shape (grey, 0..1).

    Parameters
    ----------
    steps : list of (str, ndarray (H, W) in [0, 1])
        E.g. ``core.data.digit_input.preprocess_digit``'s steps.

    Returns
    -------
    go.Figure
        One panel per step: a heatmap with hover values up to ``HEATMAP_MAX_SIDE`` per side (the
        28 x 28 input), else a grey picture at most ``STEP_MAX_SIDE`` pixels on a side (a photo).
    """
    n, spacing = len(steps), 0.02
    width = (1.0 - spacing * (n - 1)) / max(n, 1)
    data, layout = [], dict(height=height, margin=dict(l=4, r=4, t=50, b=4), annotations=[])
    for i, (name, arr) in enumerate(steps, start=1):
        arr = np.asarray(arr, np.float32)
        left, suffix = (i - 1) * (width + spacing), "" if i == 1 else str(i)
        if max(arr.shape) <= HEATMAP_MAX_SIDE:
            trace, (h, w) = (
                dict(
                    type="heatmap",
                    z=arr,
                    zmin=0,
                    zmax=1,
                    colorscale=colorscale_stops("gray"),
                    showscale=False,
                    hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>",
                ),
                arr.shape,
            )
        else:
            source, w, h = _gray_picture(arr, STEP_MAX_SIDE)
            trace = dict(type="image", source=source, hoverinfo="skip")
        data.append(dict(trace, xaxis=f"x{suffix}", yaxis=f"y{suffix}"))
        layout[f"xaxis{suffix}"] = dict(
            domain=[left, left + width], visible=False, range=[-0.5, w - 0.5], constrain="domain"
        )
        layout[f"yaxis{suffix}"] = dict(
            visible=False, range=[h - 0.5, -0.5], scaleanchor=f"x{suffix}", constrain="domain"
        )
        layout["annotations"].append(
            panel_title(f"{name}<br>{' × '.join(map(str, np.shape(arr)))}", left + width / 2, size=12)
        )
    return _figure(data, layout)


def kernels_grid_figure(
    kernels: np.ndarray,
    *,
    titles: list[str],
    cols: int = 8,
    shared_scale: bool = True,
    height: int | None = None,
) -> go.Figure:
    """Small kernels (k, k, N) as a grid of signed heatmaps with their numbers, on a scale centred
    on 0 (blue negative, red positive): one for all, or one per kernel.

    One heatmap trace holds the whole grid (kernels separated by empty cells, titles as one list
    of annotations above them), so the figure costs one trace whatever N is.

    Parameters
    ----------
    kernels : ndarray of shape (k, k, N), float
    titles : list of N str
        Drawn above each kernel; may hold one ``<br>``.
    cols : int
        Kernels per row.
    shared_scale : bool
        One colour scale for all (compare strengths), else each kernel stretched to its own.

    Returns
    -------
    go.Figure
        Hover and cell text give the raw weights (text only for k <= 5).

    Raises
    ------
    ValueError
        If ``kernels`` is not (k, k, N) or ``titles`` does not have N entries.
    """
    kernels = np.asarray(kernels, dtype=np.float64)
    if kernels.ndim != 3 or kernels.shape[0] != kernels.shape[1]:
        raise ValueError(f"kernels must have shape (k, k, N), got {kernels.shape}")
    k, _, n = kernels.shape
    if len(titles) != n:
        raise ValueError(f"titles must have {n} entries (one per kernel), got {len(titles)}")
    cols = max(1, min(cols, n))
    rows, lines = -(-n // cols), 1 + max((t.count("<br>") for t in titles), default=0)
    peaks = np.abs(kernels).max(axis=(0, 1)) if not shared_scale else np.full(n, np.abs(kernels).max())
    peaks = np.maximum(peaks, 1e-12)
    band = k + lines  # rows of cells per row of kernels, titles above
    z = np.full((rows * band, cols * (k + 1) - 1), np.nan)
    raw = np.full_like(z, np.nan)
    annotations = []
    for i in range(n):
        top, left = (i // cols) * band + lines, (i % cols) * (k + 1)
        z[top : top + k, left : left + k] = kernels[:, :, i] / peaks[i]
        raw[top : top + k, left : left + k] = kernels[:, :, i]
        annotations.append(panel_title(titles[i], left + (k - 1) / 2, y=top - 0.5, size=10, on_axes=True))
    text = [[f"{v:.2g}" if np.isfinite(v) else "" for v in row] for row in raw] if k <= 5 else None
    heat = dict(
        type="heatmap",
        z=z,
        zmin=-1,
        zmax=1,
        colorscale=colorscale_stops(DIVERGING),
        showscale=False,
        xgap=1,
        ygap=1,
        customdata=raw,
        hoverongaps=False,
        hovertemplate="%{customdata:.4g}<extra></extra>",
    )
    if text is not None:
        heat.update(text=text, texttemplate="%{text}", textfont=dict(size=9))
    layout = dict(
        height=height or 30 * rows * band + 8,
        margin=dict(l=4, r=4, t=4, b=4),
        annotations=annotations,
        dragmode=False,
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(visible=False, range=[-0.5, z.shape[1] - 0.5]),
        yaxis=dict(visible=False, range=[z.shape[0] - 0.5, -0.5]),
    )
    return _figure([heat], layout)


def history_figure(history: dict) -> go.Figure:
    """Loss and accuracy per epoch, training vs test split (``val_*`` keys of a Keras history),
    side by side."""
    data = []
    for col, metric in ((1, "loss"), (2, "accuracy")):
        for prefix, name, color in (("", "training", "#4c78a8"), ("val_", "test split", "#d7301f")):
            values = history.get(prefix + metric)
            if values:
                data.append(
                    dict(
                        type="scatter",
                        x=list(range(1, len(values) + 1)),
                        y=list(values),
                        name=name,
                        mode="lines+markers",
                        line=dict(color=color),
                        legendgroup=name,
                        showlegend=col == 1,
                        xaxis="x" if col == 1 else "x2",
                        yaxis="y" if col == 1 else "y2",
                    )
                )
    titles = [panel_title(t, x) for t, x in (("Loss", 0.225), ("Accuracy", 0.775))]
    return _figure(
        data,
        dict(
            height=300,
            margin=dict(l=40, r=10, t=40, b=40),
            annotations=titles,
            xaxis=dict(domain=[0, 0.45], title=dict(text="epoch")),
            yaxis=dict(anchor="x"),
            xaxis2=dict(domain=[0.55, 1], title=dict(text="epoch"), anchor="y2"),
            yaxis2=dict(anchor="x2"),
        ),
    )


def confusion_figure(matrix, *, labels=None) -> go.Figure:
    """A confusion matrix (rows = true class, columns = predicted) with counts in the cells."""
    cm = np.asarray(matrix)
    labels = [str(i) for i in range(cm.shape[0])] if labels is None else [str(s) for s in labels]
    heat = dict(
        type="heatmap",
        z=cm,
        x=labels,
        y=labels,
        colorscale=colorscale_stops("Blues"),
        showscale=False,
        text=cm,
        texttemplate="%{text}",
        hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
    )
    return _figure(
        [heat],
        dict(
            height=380,
            margin=dict(l=40, r=10, t=10, b=40),
            xaxis=dict(title=dict(text="predicted"), type="category"),
            yaxis=dict(title=dict(text="true"), type="category", autorange="reversed"),
        ),
    )

"""The figure primitives every page draws with: a matrix as a pixel-exact heatmap or compressed picture, the
pick grid, colour scales and the PNG/JPEG encoding. They return figures and never call Streamlit.
The Convolution page's figures (signed display modes, feature map, close-up, kernel) are in
:mod:`core.figures.convolution`.

Colour conventions, the same on every page:

* images and non-negative maps: grey, black = low;
* signed maps and kernels: a diverging scale centred on 0 (``RdBu_r``: blue negative, white 0,
  red positive; ColorBrewer's RdBu is colour-blind safe);
* small matrices carry their numbers in the cells, so no value is given by colour alone.
"""

from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go

DIVERGING = "RdBu_r"
#: How a signed map can be shown (:func:`core.figures.convolution.signed_display`), name → label.
SIGNED_MODES = {
    "diverging": "Diverging, centred on 0 (blue < 0 < red)",
    "clip": "Clip to [0, 255]",
    "abs": "Absolute value |x|",
    "minmax": "Min–max rescale",
}
#: Matrices with at most this many cells per side are drawn cell by cell with their numbers.
NUMBERS_MAX_SIDE = 16
#: Up to this side, a heatmap with hover values; above, one compressed image inside the figure.
HEATMAP_MAX_SIDE = 64
#: Pictures with at most this many pixels are sent as PNG (lossless), larger ones as JPEG.
PNG_MAX_PIXELS = 128 * 128
#: JPEG quality of large pictures (photos and their feature maps).
JPEG_QUALITY = 75


def values_to_rgb(values: np.ndarray, zmin: float, zmax: float, colorscale: str) -> np.ndarray:
    """Map (H, W) values to (H, W, 3) uint8 through a colour scale (matplotlib colormaps)."""
    from matplotlib import colormaps

    norm = np.clip((values - zmin) / max(zmax - zmin, 1e-12), 0, 1)
    cmap = colormaps["RdBu_r" if colorscale == DIVERGING else "gray"]
    return (cmap(norm)[:, :, :3] * 255 + 0.5).astype(np.uint8)


def _fmt(v: float) -> str:
    if float(v).is_integer() and abs(v) < 1e6:
        text = str(int(v))
    else:
        text = f"{v:.3g}" if abs(v) < 1e4 else f"{v:.2e}"
    return text.replace("-", "−")


@functools.lru_cache(maxsize=32)
def _resolved_colorscale(name: str) -> tuple:
    from plotly.colors import get_colorscale

    return tuple(tuple(stop) for stop in get_colorscale(name))


def colorscale_stops(scale):
    """A colour scale as explicit ``[[position, colour], ...]`` stops. Plotly's validator turns
    names such as ``"gray"`` or ``"RdBu_r"`` into stops; figures built without validation must
    do it themselves (plotly.js alone knows neither name)."""
    if isinstance(scale, str):
        return [list(stop) for stop in _resolved_colorscale(scale)]
    return scale


def _box_shape(box, color: str) -> dict:
    top, left, height, width = box
    return dict(
        type="rect",
        x0=left - 0.5,
        x1=left + width - 0.5,
        y0=top - 0.5,
        y1=top + height - 0.5,
        line=dict(color=color, width=3),
        fillcolor="rgba(0,0,0,0)",
    )


def encode_raster(rgb: np.ndarray, *, lossless: bool = False) -> str:
    """An (H, W, 3) uint8 picture as a ``data:`` URI for Plotly's ``Image`` trace.

    Pictures up to :data:`PNG_MAX_PIXELS` pixels (or any size with ``lossless``: diagrams) are PNG,
    lossless, so small maps stay pixel-exact;
    larger ones (photos and their feature maps) JPEG at quality :data:`JPEG_QUALITY`, 6–10× smaller:
    a 512 × 512 map costs 25–55 kB (35–75 kB as base64 on the wire) instead of 0.2–0.5 MB as PNG.
    """
    import base64
    import io

    from PIL import Image as PILImage

    image = PILImage.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    buf = io.BytesIO()
    if lossless or rgb.shape[0] * rgb.shape[1] <= PNG_MAX_PIXELS:
        image.save(buf, format="PNG", compress_level=1)
        mime = "png"
    else:
        image.save(buf, format="JPEG", quality=JPEG_QUALITY)
        mime = "jpeg"
    return f"data:image/{mime};base64," + base64.b64encode(buf.getvalue()).decode()


def pick_grid_trace(h: int, w: int, *, max_side: int = 64) -> dict:
    """An invisible grid of markers (at most ``max_side`` per side) over an ``h × w`` map, so a
    click through ``st.plotly_chart(on_select=...)`` reports ``x`` = column and ``y`` = row.
    Coordinates are int16 arrays, which Plotly sends as compact base64 typed arrays (about 22 kB
    for 64 × 64 points)."""
    step_r, step_c = max(1, -(-h // max_side)), max(1, -(-w // max_side))
    rr, cc = np.meshgrid(
        np.arange(0, h, step_r, dtype=np.int16), np.arange(0, w, step_c, dtype=np.int16), indexing="ij"
    )
    size = max(4, min(24, 380 // max(h // step_r, w // step_c, 1)))
    return pick_points_trace(
        cc.ravel(), rr.ravel(), size=size, hovertemplate="pick row %{y}, col %{x}<extra></extra>"
    )


def pick_points_trace(x, y, *, size: float, hovertemplate: str, customdata=None) -> dict:
    """Invisible markers at ``(x, y)``, named ``"pick"`` and left out of the legend, that a click through
    ``st.plotly_chart(on_select=...)`` (or a tap) picks where a figure has nothing else to pick.

    Parameters
    ----------
    x, y : array_like of shape (N,)
        The points, in the axes' coordinates.
    size : float
        Marker diameter in px: the area around each point that answers a click.
    hovertemplate : str
        What hovering over a point says.
    customdata : array_like of shape (N, ...), optional
        Sent with a selected point.

    Returns
    -------
    dict
        A Plotly scatter trace.
    """
    trace = dict(
        type="scatter",
        x=x,
        y=y,
        mode="markers",
        showlegend=False,
        name="pick",
        marker=dict(size=size, color="rgba(0,0,0,0)"),
        hovertemplate=hovertemplate,
    )
    if customdata is not None:
        trace["customdata"] = customdata
    return trace


def xy_trace(points, *, mode: str, name: str, **style) -> dict:
    """A scatter trace through ``points`` of shape (N, 2): column 0 along x, column 1 along y.

    ``style``: the trace's other properties (``line``, ``marker``, ``hoverinfo``, ...).

    Returns
    -------
    dict
        A Plotly scatter trace.
    """
    xy = np.asarray(points)
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode=mode, name=name, **style)


def panel_title(text: str, x: float, *, y: float = 1.0, size: int = 16, on_axes: bool = False) -> dict:
    """The title of one panel of a figure with several: an annotation centred on paper ``x``, standing on
    paper height ``y`` (Plotly's subplot titles, for figures laid out without ``make_subplots``).

    With ``on_axes``, ``x`` and ``y`` are data coordinates of the first axes instead (a title above one
    tile of a grid drawn as a single picture or heatmap).

    Returns
    -------
    dict
        A Plotly layout annotation.
    """
    ref = ("x", "y") if on_axes else ("paper", "paper")
    return dict(
        text=text,
        x=x,
        y=y,
        xref=ref[0],
        yref=ref[1],
        xanchor="center",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=size),
    )


def matrix_figure(
    values,
    *,
    zmin: float,
    zmax: float,
    colorscale: str = "gray",
    title: str = "",
    show_numbers: bool | None = None,
    boxes=(),
    pick_grid: bool = False,
    rgb: np.ndarray | None = None,
    height: int = 420,
    number_values=None,
) -> go.Figure:
    """A 2-D array as an image, pixel-exact (no interpolation), row 0 at the top.

    Maps up to :data:`HEATMAP_MAX_SIDE` per side are heatmaps with the value under the mouse;
    larger ones (and ``rgb`` pictures) travel as one compressed image (:func:`encode_raster`).
    The figure is assembled from plain dicts and not re-validated by Plotly (this is on every
    page's click path); ``tests/core/test_figures.py`` validates its output instead.

    Parameters
    ----------
    values : ndarray (H, W), float
        Drawn through ``colorscale`` between ``zmin`` and ``zmax`` (unless ``rgb`` is given).
    rgb : ndarray (H, W, 3), uint8, optional
        A colour image to draw instead (an RGB input); ``values`` still feed hover and numbers.
    show_numbers : bool, optional
        Write each value in its cell; default when both sides are ≤ :data:`NUMBERS_MAX_SIDE`.
    number_values : ndarray (H, W), optional
        Values to write and hover instead of ``values`` (e.g. the raw map behind a clipped display).
    boxes : iterable of ((top, left, height, width), colour)
        Rectangles to outline (the window under the kernel, the chosen output cell).
    pick_grid : bool
        Add :func:`pick_grid_trace`, so a click can pick a cell.
    """
    vals = np.asarray(values, dtype=np.float32)
    h, w = vals.shape
    shown = vals if number_values is None else np.asarray(number_values, dtype=np.float32)
    if show_numbers is None:
        show_numbers = max(h, w) <= NUMBERS_MAX_SIDE
    traces = []
    if max(h, w) <= HEATMAP_MAX_SIDE and rgb is None:
        heat = dict(
            type="heatmap",
            z=vals,
            zmin=zmin,
            zmax=zmax,
            colorscale=colorscale_stops(colorscale),
            showscale=False,
            customdata=shown,
            hovertemplate="row %{y}, col %{x}: %{customdata:.4g}<extra></extra>",
            xgap=1 if show_numbers else 0,
            ygap=1 if show_numbers else 0,
        )
        if show_numbers:
            heat.update(
                text=[[_fmt(v) for v in row] for row in shown],
                texttemplate="%{text}",
                textfont=dict(size=14 if max(h, w) <= 8 else 11),
            )
        traces.append(heat)
    else:
        image = rgb if rgb is not None else values_to_rgb(vals, zmin, zmax, colorscale)
        traces.append(dict(type="image", source=encode_raster(image), hoverinfo="x+y"))
    if pick_grid:
        traces.append(pick_grid_trace(h, w))
    layout = picture_layout(
        w, h, height=height, title=title, shapes=[_box_shape(box, color) for box, color in boxes]
    )
    return go.Figure(dict(data=traces, layout=layout), _validate=False)


def picture_layout(width: int, height_px: int, *, height: int, title: str | None = None, **extra) -> dict:
    """The layout of a figure that is one picture (or grid of cells) ``width`` x ``height_px`` on hidden
    axes: pixel-exact (one unit per pixel, square cells, row 0 at the top), not draggable, no theme.

    ``height``: the figure's height in screen pixels; ``title``: centred above (none if None);
    ``extra``: further layout properties (``shapes``, ``annotations``, ``paper_bgcolor``, ...).

    Returns
    -------
    dict
        A Plotly layout.
    """
    # template={}: explicit colours only, so Plotly's ~4 kB default template is not sent with every map
    layout = dict(
        height=height,
        dragmode=False,
        template={},
        margin=dict(l=4, r=4, t=40 if title else 4, b=4),
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(visible=False, range=[-0.5, width - 0.5], constrain="domain"),
        yaxis=dict(visible=False, range=[height_px - 0.5, -0.5], scaleanchor="x", constrain="domain"),
    )
    if title is not None:
        layout["title"] = dict(text=title, x=0.5, xanchor="center")
    return layout | extra


def image_to_rgb_uint8(image) -> np.ndarray:
    """(H, W) or (H, W, 3) values in 0–255 → (H, W, 3) uint8 for display."""
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    return np.clip(arr + 0.5, 0, 255).astype(np.uint8)

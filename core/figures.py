"""Plotly figure builders shared by the pages. They return figures and never call Streamlit.

Colour conventions, the same on every page:

* images and non-negative maps: grey, black = low;
* signed maps and kernels: a diverging scale centred on 0 (``RdBu_r``: blue negative, white 0,
  red positive; ColorBrewer's RdBu is colour-blind safe);
* small matrices carry their numbers in the cells, so no value is given by colour alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import plotly.graph_objects as go

DIVERGING = "RdBu_r"
SIGNED_MODES = {
    "diverging": "Diverging, centred on 0 (blue < 0 < red)",
    "clip": "Clip to [0, 255]",
    "abs": "Absolute value |x|",
    "minmax": "Min–max rescale",
}
#: Matrices with at most this many cells per side are drawn cell by cell with their numbers.
NUMBERS_MAX_SIDE = 16
#: Up to this side, a heatmap with hover values; above, a PNG inside the figure (fast).
HEATMAP_MAX_SIDE = 96


@dataclass(frozen=True)
class Display:
    """How a (signed) feature map is turned into something to look at.

    Attributes
    ----------
    values : ndarray (H, W), float32
        What is drawn (after clipping, |x| or rescaling).
    zmin, zmax : float
        Ends of the colour scale.
    colorscale : str
        Plotly colour-scale name.
    caption : str
        One sentence saying what black/white (or blue/red) mean, with the numbers.
    """

    values: np.ndarray
    zmin: float
    zmax: float
    colorscale: str
    caption: str


def signed_display(feature_map, mode: str = "diverging") -> Display:
    """Prepare a feature map of any sign for display.

    Parameters
    ----------
    feature_map : array_like of shape (H, W), float, in pixel units (0–255 inputs)
    mode : {"diverging", "clip", "abs", "minmax"}
        ``clip`` is what saving as an 8-bit image does (negatives become black, as in Setosa's
        demo); ``abs`` shows edge strength whatever its sign (seed 000's ``np.absolute(grad)``);
        ``minmax`` stretches min → black, max → white; ``diverging`` keeps the sign visible.

    Raises
    ------
    ValueError
        If ``mode`` is unknown.
    """
    fm = np.asarray(feature_map, dtype=np.float32)
    lo, hi = (float(fm.min()), float(fm.max())) if fm.size else (0.0, 0.0)
    # On photos a few extreme pixels would wash everything else out: large maps are scaled to the
    # 99.5th percentile of |x| (those few pixels saturate); small matrices use their true maximum.
    robust = fm.size > 1024
    if mode == "diverging":
        m = float(np.percentile(np.abs(fm), 99.5)) if robust else max(abs(lo), abs(hi))
        m = max(m, 1e-12)
        note = " (scale set at the 99.5th percentile of |x|; the top 0.5% saturate)" if robust else ""
        return Display(fm, -m, m, DIVERGING, f"Blue = negative, white = 0, red = positive (±{m:.4g}){note}.")
    if mode == "clip":
        return Display(np.clip(fm, 0, 255), 0.0, 255.0, "gray",
                       f"Values clipped to [0, 255]: everything below 0 is black (min here {lo:.4g}).")
    if mode == "abs":
        a = np.abs(fm)
        top = float(np.percentile(a, 99.5)) if robust else (float(a.max()) if a.size else 0.0)
        top = max(top, 1e-12)
        note = " (99.5th percentile; brighter pixels saturate)" if robust else ""
        return Display(a, 0.0, top, "gray", f"|x|: black = 0, white = {top:.4g}{note}.")
    if mode == "minmax":
        span = hi - lo if hi > lo else 1.0
        return Display(fm, lo, lo + span, "gray", f"Black = min ({lo:.4g}), white = max ({hi:.4g}).")
    raise ValueError(f"`mode` must be one of {tuple(SIGNED_MODES)}, got {mode!r}.")


def display_rgb(display: Display) -> np.ndarray:
    """The (H, W, 3) uint8 picture of a :class:`Display` (for PNG download)."""
    return _to_rgb_uint8(display.values, display.zmin, display.zmax, display.colorscale)


def _to_rgb_uint8(values: np.ndarray, zmin: float, zmax: float, colorscale: str) -> np.ndarray:
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


def _add_box(fig: go.Figure, box, color: str) -> None:
    top, left, height, width = box
    fig.add_shape(type="rect", x0=left - 0.5, x1=left + width - 0.5, y0=top - 0.5, y1=top + height - 0.5,
                  line=dict(color=color, width=3), fillcolor="rgba(0,0,0,0)")


def matrix_figure(values, *, zmin: float, zmax: float, colorscale: str = "gray", title: str = "",
                  show_numbers: Optional[bool] = None, boxes=(), pick_grid: bool = False,
                  rgb: Optional[np.ndarray] = None, height: int = 420, number_values=None) -> go.Figure:
    """A 2-D array as an image, pixel-exact (no interpolation), row 0 at the top.

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
        Add an invisible grid of markers (at most 64 per side) so a click can pick a cell
        through ``st.plotly_chart(on_select=...)``; point ``customdata`` is ``(row, col)``.
    """
    vals = np.asarray(values, dtype=np.float32)
    h, w = vals.shape
    shown = vals if number_values is None else np.asarray(number_values, dtype=np.float32)
    if show_numbers is None:
        show_numbers = max(h, w) <= NUMBERS_MAX_SIDE
    fig = go.Figure()
    if max(h, w) <= HEATMAP_MAX_SIDE and rgb is None:
        heat = go.Heatmap(z=vals, zmin=zmin, zmax=zmax, colorscale=colorscale, showscale=False,
                          customdata=shown, hovertemplate="row %{y}, col %{x}: %{customdata:.4g}<extra></extra>",
                          xgap=1 if show_numbers else 0, ygap=1 if show_numbers else 0)
        if show_numbers:
            heat.update(text=[[_fmt(v) for v in row] for row in shown], texttemplate="%{text}",
                        textfont=dict(size=14 if max(h, w) <= 8 else 11))
        fig.add_trace(heat)
    else:
        image = rgb if rgb is not None else _to_rgb_uint8(vals, zmin, zmax, colorscale)
        from PIL import Image as PILImage
        import base64
        import io

        buf = io.BytesIO()
        PILImage.fromarray(image).save(buf, format="PNG", compress_level=1)
        fig.add_trace(go.Image(source="data:image/png;base64," + base64.b64encode(buf.getvalue()).decode(),
                               hoverinfo="x+y"))
    for box, color in boxes:
        _add_box(fig, box, color)
    if pick_grid:
        step_r, step_c = max(1, -(-h // 64)), max(1, -(-w // 64))
        rr, cc = np.meshgrid(np.arange(0, h, step_r), np.arange(0, w, step_c), indexing="ij")
        fig.add_trace(go.Scatter(x=cc.ravel(), y=rr.ravel(), mode="markers",
                                 marker=dict(size=max(4, min(24, 380 // max(h // step_r, w // step_c, 1))),
                                             color="rgba(0,0,0,0)"),
                                 customdata=np.stack([rr.ravel(), cc.ravel()], axis=1),
                                 hovertemplate="pick row %{customdata[0]}, col %{customdata[1]}<extra></extra>",
                                 showlegend=False, name="pick"))
    fig.update_xaxes(visible=False, range=[-0.5, w - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[h - 0.5, -0.5], scaleanchor="x", constrain="domain")
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center"), height=height,
                      margin=dict(l=4, r=4, t=40 if title else 4, b=4), dragmode=False,
                      plot_bgcolor="rgba(0,0,0,0)")
    return fig


def kernel_figure(kernel, *, title: str = "Kernel", height: int = 260) -> go.Figure:
    """A kernel (kh, kw) as numbers on a diverging scale centred on 0."""
    k = np.asarray(kernel, dtype=np.float32)
    m = max(float(np.abs(k).max()), 1e-12)
    return matrix_figure(k, zmin=-m, zmax=m, colorscale=DIVERGING, title=title, show_numbers=True,
                         height=height)


def image_to_rgb_uint8(image) -> np.ndarray:
    """(H, W) or (H, W, 3) values in 0–255 → (H, W, 3) uint8 for display."""
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    return np.clip(arr + 0.5, 0, 255).astype(np.uint8)

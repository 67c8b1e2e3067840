"""The Convolution page's figures: a signed feature map in one of four display modes, the clickable feature
map, the close-up around the kernel's window and the kernel as numbers. They return figures and never call
Streamlit; colours follow :mod:`core.figures.common`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.figures.common import DIVERGING, SIGNED_MODES, matrix_figure, values_to_rgb


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
        demo); ``abs`` shows edge strength whatever its sign (the course's ``np.absolute(grad)``);
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
        return Display(
            np.clip(fm, 0, 255),
            0.0,
            255.0,
            "gray",
            f"Values clipped to [0, 255]: everything below 0 is black (min here {lo:.4g}).",
        )
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
    return values_to_rgb(display.values, display.zmin, display.zmax, display.colorscale)


def feature_map_figure(
    feature_map,
    mode: str = "diverging",
    *,
    pick_box: tuple[int, int] | None = None,
    title: str = "Feature map",
) -> tuple[Display, go.Figure]:
    """A feature map as shown by :func:`signed_display` and its clickable figure.

    Parameters
    ----------
    feature_map : ndarray (H, W), float
    mode : str
        One of :data:`SIGNED_MODES`.
    pick_box : (row, col), optional
        A cell to outline in green (the chosen output pixel).

    Returns
    -------
    (Display, Figure)
        The figure has a pick grid (:func:`pick_grid_trace`) and hovers the raw values.
    """
    display = signed_display(feature_map, mode)
    boxes = [] if pick_box is None else [((*pick_box, 1, 1), "#1a9850")]
    return display, matrix_figure(
        display.values,
        zmin=display.zmin,
        zmax=display.zmax,
        colorscale=display.colorscale,
        title=title,
        number_values=feature_map,
        pick_grid=True,
        boxes=boxes,
    )


def closeup_figure(
    values,
    box,
    *,
    zmin: float,
    zmax: float,
    margin: int = 4,
    title: str = "",
    color: str = "#d7301f",
    height: int = 260,
) -> go.Figure:
    """The neighbourhood of ``box`` in a large map, enlarged, with the box outlined.

    Parameters
    ----------
    values : ndarray (H, W) or (H, W, C), float
        Channels are averaged, after cropping (only the neighbourhood is computed).
    box : (top, left, height, width)
        In the coordinates of ``values``; may reach outside it (padding), which is left blank.
    margin : int
        Pixels shown on each side of the box.

    The title gives the rows and columns shown, in the coordinates of ``values``.
    """
    vals = np.asarray(values)
    top, left, bh, bw = box
    r0, c0 = max(top - margin, 0), max(left - margin, 0)
    r1, c1 = min(top + bh + margin, vals.shape[0]), min(left + bw + margin, vals.shape[1])
    crop = vals[r0:r1, c0:c1].astype(np.float32)
    if crop.ndim == 3:
        crop = crop.mean(axis=2)
    label = f"rows {r0}–{r1 - 1}, columns {c0}–{c1 - 1}"
    return matrix_figure(
        crop,
        zmin=zmin,
        zmax=zmax,
        title=f"{title}<br><sup>{label}</sup>" if title else label,
        boxes=[((top - r0, left - c0, bh, bw), color)],
        height=height,
    )


def kernel_figure(kernel, *, title: str = "Kernel", height: int = 260) -> go.Figure:
    """A kernel (kh, kw) as numbers on a diverging scale centred on 0."""
    k = np.asarray(kernel, dtype=np.float32)
    m = max(float(np.abs(k).max()), 1e-12)
    return matrix_figure(
        k, zmin=-m, zmax=m, colorscale=DIVERGING, title=title, show_numbers=True, height=height
    )

"""Touch taps on Plotly charts: a phone's tap picks what a mouse click picks.

``st.plotly_chart`` forwards only selection events, and a touch tap never selects (whatever the drag
mode), so on a phone a figure that is clicked to pick something does nothing. :func:`show_pickable`
draws the figure with :func:`core.adapters.display.show_figure` (its looks and lecture-mode fonts
unchanged, a mouse click still selects) and mounts beside it a script-only Streamlit component
(``st.components.v2``: no iframe, no Plotly copy, nothing fetched) that listens to that chart's touch
taps. A tap becomes the point of the figure's ``"pick"`` trace nearest to the finger (every clickable
figure of the app has one: an invisible grid of markers), so a tiny cell is hit by a tap anywhere
near it; a figure without one reports the tap's data coordinates. Both routes call the page's one
callback with the same list of points, shaped like a Plotly selection's::

    def pick(points):                      # [{"x": col, "y": row, ...}] from a click or a tap
        st.session_state.conv_row, st.session_state.conv_col = int(points[0]["y"]), int(points[0]["x"])

    tap.show_pickable(fig, key="conv_out_chart", on_pick=pick, height=400)

A map whose pick trace is its grid of cells (x = column, y = row) passes
``on_pick=store_cell("conv_row", "conv_col", (rows, cols))``, which is that callback.

A picture of tiles drawn as one image (a grid of generated digits, a mosaic of feature maps) has no
pick trace and no selection; :func:`show_clickable_grid` sends its mouse clicks through the same
listener as its taps, as the tile under the pointer.

The component's script is ``static/tap.js``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from core.adapters import display, errors

__all__ = ["TAP_SUFFIX", "grid_cell", "show_clickable_grid", "show_pickable", "store_cell", "tap_point"]

TAP_SUFFIX = "_tap"
"""The tap listener's session key is the chart's key plus this suffix."""

_JS = (Path(__file__).parent / "static" / "tap.js").read_text(encoding="utf-8")
_listener = st.components.v2.component("neural_explainer_tap", js=_JS)

#: Keys of a tap event a page may read; anything else the browser sends is dropped.
_NUMBER_KEYS = ("x", "y", "point_index", "point_number", "curve_number")
_MAX_CUSTOMDATA = 8


def tap_point(value: Any) -> dict | None:
    """The point of one tap event as sent by the browser, checked: finite numbers ``x`` and ``y``
    (data coordinates: for a map's pick grid, column and row), optional ``point_index``,
    ``point_number``, ``curve_number`` and a short list of numbers ``customdata``.

    Parameters
    ----------
    value : object
        The component's trigger value (JSON from the browser: untrusted).

    Returns
    -------
    dict or None
        The point, or None if ``value`` is not a tap (missing or non-finite ``x``/``y``).
    """
    if not isinstance(value, dict):
        return None
    point = {}
    for name in _NUMBER_KEYS:
        number = value.get(name)
        if isinstance(number, numbers.Real) and not isinstance(number, bool) and math.isfinite(number):
            point[name] = float(number) if name in ("x", "y") else int(number)
    if "x" not in point or "y" not in point:
        return None
    custom = value.get("customdata")
    if (
        isinstance(custom, list)
        and 0 < len(custom) <= _MAX_CUSTOMDATA
        and all(isinstance(c, numbers.Real) and not isinstance(c, bool) and math.isfinite(c) for c in custom)
    ):
        point["customdata"] = [float(c) for c in custom]
    return point


def show_pickable(
    fig, *, key: str, on_pick: Callable[[list], None], height: int | None = None, alt: str | None = None
):
    """Show ``fig`` with :func:`core.adapters.display.show_figure` and call ``on_pick(points)`` when a
    point of it is clicked (a Plotly selection) or tapped on a touch screen.

    Parameters
    ----------
    fig : plotly Figure or dict
        The figure; it should have an invisible trace named ``"pick"`` (the clickable points).
    key : str
        The chart's session key; the tap listener's is ``key + TAP_SUFFIX``.
    on_pick : callable
        Called (as a widget callback, before the rerun) with a non-empty list of point dicts with
        ``x`` and ``y`` (and ``customdata`` where the pick trace has it).
    height : int, optional
        The figure's height in px (see :func:`core.adapters.display.show_figure`).
    alt : str, optional
        What the chart shows, for screen readers (default: read from the figure).

    Returns
    -------
    The chart's selection state, as ``st.plotly_chart`` returns it.
    """

    @errors.guarded
    def picked_by_click() -> None:
        points = list(st.session_state[key].selection.points)
        if points:
            on_pick(points)

    @errors.guarded
    def picked_by_tap() -> None:
        point = tap_point(getattr(st.session_state.get(key + TAP_SUFFIX), "tap", None))
        if point is not None:
            on_pick([point])

    shown = display.show_figure(fig, key=key, on_select=picked_by_click, height=height, alt=alt)
    _listener(key=key + TAP_SUFFIX, data={"chart": key}, on_tap_change=picked_by_tap, height=0)
    return shown


def store_cell(row_key: str, col_key: str, shape: tuple[int, int]) -> Callable[[list], None]:
    """The ``on_pick`` of a map whose ``"pick"`` trace is its grid of cells (x = column, y = row, as
    the feature maps and pooled matrices draw it): the picked cell's row and column go into the
    session keys ``row_key`` and ``col_key`` (the page's row and column inputs).

    Parameters
    ----------
    row_key, col_key : str
        Session keys of the picked row and column, e.g. ``"conv_row"``, ``"conv_col"``.
    shape : (int, int)
        The map's rows and columns: a picked point is clamped into it (a selection is the browser's
        JSON, so its numbers are untrusted).

    Returns
    -------
    callable
        ``on_pick(points)`` for :func:`show_pickable`: stores the first point's ``y`` and ``x``,
        rounded to whole cells and clamped into ``shape``; a point without two finite numbers leaves
        the keys as they are.
    """
    rows, cols = (max(int(n), 1) for n in shape)

    @errors.guarded
    def store(points: list) -> None:
        point = tap_point(points[0]) if points else None
        if point is not None:
            st.session_state[row_key] = min(max(int(round(point["y"])), 0), rows - 1)
            st.session_state[col_key] = min(max(int(round(point["x"])), 0), cols - 1)

    return store


def grid_cell(x: float, y: float, *, x_range, y_range, rows: int, cols: int) -> tuple[int, int]:
    """The tile ``(row, col)`` of a ``rows × cols`` grid of equal tiles spanning a picture under the
    data point ``(x, y)``, clamped into the grid (a tap on a gap or an edge picks the nearest tile).

    Parameters
    ----------
    x, y : float
        Data coordinates of the tap.
    x_range, y_range : (float, float)
        The picture's extent on each axis, in the axis' direction (a y axis pointing down gives
        ``(bottom, top)`` values, e.g. ``(162, 0)``): tile column 0 is at ``x_range[0]``, row 0 at
        ``y_range[1]`` if that is the smaller value, else at ``y_range[0]``.
    rows, cols : int
        The grid; gaps between tiles are treated as part of the tiles around them, which places a
        tap at most one gap's width from its tile.

    Raises
    ------
    ValueError
        If ``rows`` or ``cols`` is below 1 or a range is empty.
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols must be at least 1, got {rows} × {cols}")
    (x0, x1), (y0, y1) = (float(v) for v in x_range), sorted(float(v) for v in y_range)
    if x0 == x1 or y0 == y1:
        raise ValueError(f"x_range {x_range} and y_range {y_range} must not be empty")
    col = int(math.floor((x - x0) / (x1 - x0) * cols))
    row = int(math.floor((y - y0) / (y1 - y0) * rows))
    return min(max(row, 0), rows - 1), min(max(col, 0), cols - 1)


def show_clickable_grid(
    fig,
    *,
    key: str,
    rows: int,
    cols: int,
    on_pick: Callable[[int, int], None],
    height: int | None = None,
    alt: str | None = None,
):
    """Show a picture of ``rows × cols`` tiles (one image trace on the axes' full ranges) and call
    ``on_pick(row, col)`` with the tile a click or a tap lands on.

    Parameters
    ----------
    fig : plotly Figure or dict
        The picture; its ``layout.xaxis.range`` and ``layout.yaxis.range`` are the grid's extent.
    key : str
        The chart's session key; the listener's is ``key + TAP_SUFFIX``.
    rows, cols : int
        The grid of tiles (see :func:`grid_cell`).
    on_pick : callable
        Called (as a widget callback, before the rerun) with the tile's row and column.
    height : int, optional
        The figure's height in px.
    alt : str, optional
        What the picture shows, for screen readers (default: read from the figure).

    Raises
    ------
    ValueError
        If the figure's axes have no explicit ranges.
    """
    if hasattr(fig, "layout"):
        x_range, y_range = fig.layout.xaxis.range, fig.layout.yaxis.range
    else:
        x_range, y_range = (fig.get("layout", {}).get(axis, {}).get("range") for axis in ("xaxis", "yaxis"))
    if not x_range or not y_range:
        raise ValueError("show_clickable_grid needs a figure with explicit xaxis and yaxis ranges")

    @errors.guarded
    def picked() -> None:
        point = tap_point(getattr(st.session_state.get(key + TAP_SUFFIX), "tap", None))
        if point is not None:
            on_pick(
                *grid_cell(point["x"], point["y"], x_range=x_range, y_range=y_range, rows=rows, cols=cols)
            )

    shown = display.show_figure(fig, key=key, height=height, alt=alt)
    _listener(key=key + TAP_SUFFIX, data={"chart": key, "mouse": True}, on_tap_change=picked, height=0)
    return shown

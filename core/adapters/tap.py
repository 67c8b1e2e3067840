"""Touch taps on Plotly charts: a phone's tap picks what a mouse click picks.

``st.plotly_chart`` forwards only selection events, and a touch tap never selects (whatever the drag
mode), so on a phone a figure that is clicked to pick something does nothing. :func:`show_pickable`
draws the figure with :func:`core.adapters.ui.show_figure` (its looks and lecture-mode fonts
unchanged, a mouse click still selects) and mounts beside it a script-only Streamlit component
(``st.components.v2``: no iframe, no Plotly copy, nothing fetched) that listens to that chart's touch
taps. A tap becomes the point of the figure's ``"pick"`` trace nearest to the finger (every clickable
figure of the app has one: an invisible grid of markers), so a tiny cell is hit by a tap anywhere
near it; a figure without one reports the tap's data coordinates. Both routes call the page's one
callback with the same list of points, shaped like a Plotly selection's::

    def pick(points):                      # [{"x": col, "y": row, ...}] from a click or a tap
        st.session_state.conv_row, st.session_state.conv_col = int(points[0]["y"]), int(points[0]["x"])

    tap.show_pickable(fig, key="conv_out_chart", on_pick=pick, height=400)

The component's script is ``static/tap.js``.
"""
from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any, Callable, Optional

import streamlit as st

from core.adapters import ui

__all__ = ["TAP_SUFFIX", "show_pickable", "tap_point"]

TAP_SUFFIX = "_tap"
"""The tap listener's session key is the chart's key plus this suffix."""

_JS = (Path(__file__).parent / "static" / "tap.js").read_text(encoding="utf-8")
_listener = st.components.v2.component("neural_explainer_tap", js=_JS)

#: Keys of a tap event a page may read; anything else the browser sends is dropped.
_NUMBER_KEYS = ("x", "y", "point_index", "point_number", "curve_number")
_MAX_CUSTOMDATA = 8


def tap_point(value: Any) -> Optional[dict]:
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
    if isinstance(custom, list) and 0 < len(custom) <= _MAX_CUSTOMDATA and all(
            isinstance(c, numbers.Real) and not isinstance(c, bool) and math.isfinite(c) for c in custom):
        point["customdata"] = [float(c) for c in custom]
    return point


def show_pickable(fig, *, key: str, on_pick: Callable[[list], None], height: Optional[int] = None):
    """Show ``fig`` with :func:`core.adapters.ui.show_figure` and call ``on_pick(points)`` when a
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
        The figure's height in px (see :func:`core.adapters.ui.show_figure`).

    Returns
    -------
    The chart's selection state, as ``st.plotly_chart`` returns it.
    """
    def picked_by_click() -> None:
        points = list(st.session_state[key].selection.points)
        if points:
            on_pick(points)

    def picked_by_tap() -> None:
        point = tap_point(getattr(st.session_state.get(key + TAP_SUFFIX), "tap", None))
        if point is not None:
            on_pick([point])

    shown = ui.show_figure(fig, key=key, on_select=picked_by_click, height=height)
    _listener(key=key + TAP_SUFFIX, data={"chart": key}, on_tap_change=picked_by_tap, height=0)
    return shown

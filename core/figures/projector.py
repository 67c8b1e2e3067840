"""Projector (lecture-mode) sizes for any Plotly figure: every piece of text at least 20 CSS px.

A figure's own per-axis, per-legend and per-annotation fonts win over ``layout.font`` (and
Streamlit's Plotly theme sets tick labels to 12 px), so a global font size alone leaves most text
small. :func:`projector_layout` walks a figure's dict and raises every font it finds, and the fonts
of the axes, colour bars and legend that the figure leaves to the template, to at least
``min_size``. Pages never call it: ``core.adapters.display.show_figure`` applies it to every figure
shown in lecture mode.
"""

from __future__ import annotations

import copy
import re
from typing import Any

#: The smallest text a back row reads on a 1920 × 1080 projector (CSS px).
MIN_FONT = 20
#: Figure titles.
TITLE_FONT = 24
#: Plotly draws ``<sub>``/``<sup>`` text at 70 % of its font size: text that holds them gets this
#: size, so the sub- and superscripts stay at least :data:`MIN_FONT` (0.7 × 29 = 20.3).
SCRIPT_FONT = 29
#: A figure with more small annotations than this is a dense grid of panels (64 kernels, a layer's
#: maps): at projector size their labels would cover the panels, so lecture mode leaves them out.
DENSE_LABELS = 16
#: Plotly's line height, in font sizes.
LINE_HEIGHT = 1.3
#: Figures are drawn this much taller in lecture mode.
HEIGHT_SCALE = 1.3

_AXIS = re.compile(r"^[xy]axis\d*$")
_SCRIPT = re.compile(r"<su[bp]>", re.IGNORECASE)
#: Trace types drawn on cartesian axes that ``layout`` may not name (then Plotly makes them).
_NOT_CARTESIAN = {
    "pie",
    "sunburst",
    "treemap",
    "icicle",
    "funnelarea",
    "sankey",
    "table",
    "indicator",
    "parcoords",
    "parcats",
    "scatter3d",
    "surface",
    "mesh3d",
    "cone",
    "streamtube",
    "volume",
    "isosurface",
    "scatterpolar",
    "scatterpolargl",
    "barpolar",
    "scatterternary",
    "scattergeo",
    "choropleth",
    "scattermap",
    "scattermapbox",
    "choroplethmap",
    "choroplethmapbox",
    "densitymap",
    "densitymapbox",
    "scattersmith",
    "carpet",
    "scattercarpet",
    "contourcarpet",
}


def projector_layout(
    spec: dict,
    *,
    min_size: int = MIN_FONT,
    title_size: int = TITLE_FONT,
    height: int | None = None,
    height_scale: float = HEIGHT_SCALE,
) -> dict:
    """A copy of a figure dict with every text at least ``min_size`` px and the figure taller.

    Parameters
    ----------
    spec : dict
        ``fig.to_dict()``: ``{"data": [...], "layout": {...}}``. Not changed (figures may be cached
        and shared by every session).
    min_size : int
        Smallest font size in CSS px for tick labels, axis and colour-bar titles, legends,
        annotations, hover labels and text drawn in traces (heatmap numbers, scatter labels).
    title_size : int
        Smallest font size of the figure's title.
    height : int, optional
        The height the figure would have outside lecture mode; default its layout's, else 420.
    height_scale : float
        The lecture-mode height is ``height × height_scale`` px.

    Returns
    -------
    dict
        The restyled figure dict. Text holding ``<sub>``/``<sup>`` gets :data:`SCRIPT_FONT` or more.
        In a figure with more than :data:`DENSE_LABELS` annotations smaller than ``min_size``, those
        annotations are left out (the per-panel labels of a dense grid).

    Raises
    ------
    ValueError
        If ``min_size`` or ``title_size`` is not positive.

    References
    ----------
    Plotly figure reference, ``layout.xaxis.tickfont``, ``layout.annotations[].font``,
    ``layout.legend.font``, ``heatmap.textfont`` (https://plotly.com/python/reference/).
    """
    if min_size <= 0 or title_size <= 0:
        raise ValueError(f"min_size and title_size must be positive CSS px, got {min_size} and {title_size}")
    spec = copy.deepcopy(spec)
    layout = spec.setdefault("layout", {})
    data = spec.setdefault("data", [])
    base = height or layout.get("height") or 420
    layout["height"] = int(base * height_scale)
    layout["font"] = _at_least(layout.get("font"), min_size)
    layout["title"] = _titled(layout.get("title"), title_size)
    if isinstance(layout["title"].get("subtitle"), dict):
        layout["title"]["subtitle"] = _titled(layout["title"]["subtitle"], min_size)
    for name in _axis_names(layout, data):
        axis = layout.setdefault(name, {})
        axis["tickfont"] = _at_least(axis.get("tickfont"), min_size)
        axis["title"] = _titled(axis.get("title"), min_size)
    for key, value in layout.items():
        if key.startswith("coloraxis") and isinstance(value, dict):
            value["colorbar"] = _colorbar(value.get("colorbar"), min_size)
    legend = layout.setdefault("legend", {})
    legend["font"] = _at_least(legend.get("font"), min_size)
    if isinstance(legend.get("title"), dict):
        legend["title"] = _titled(legend["title"], min_size)
    layout["hoverlabel"] = {
        **layout.get("hoverlabel", {}),
        "font": _at_least(layout.get("hoverlabel", {}).get("font"), min_size),
    }
    layout["annotations"] = _annotations(layout.get("annotations") or [], min_size)
    _room_above(layout)
    for trace in data:
        _trace_text(trace, min_size)
    return spec


def _at_least(font: dict | None, size: int, text: str = "") -> dict:
    font = dict(font or {})
    wanted = max(size, SCRIPT_FONT) if _SCRIPT.search(str(text or "")) else size
    current = font.get("size")
    if isinstance(current, (list, tuple)):  # one size per point
        font["size"] = [max(s or 0, wanted) for s in current]
    else:
        font["size"] = max(current or 0, wanted)
    return font


def _titled(title: Any, size: int) -> dict:
    """A title (str or dict) as a dict whose font is at least ``size``."""
    title = {"text": title} if isinstance(title, str) else dict(title or {})
    title["font"] = _at_least(title.get("font"), size, title.get("text") or "")
    return title


def _colorbar(colorbar: dict | None, size: int) -> dict:
    colorbar = dict(colorbar or {})
    colorbar["tickfont"] = _at_least(colorbar.get("tickfont"), size)
    colorbar["title"] = _titled(colorbar.get("title"), size)
    return colorbar


def _axis_names(layout: dict, data: list) -> list[str]:
    """Cartesian axes named in the layout, and those the traces use (``x2`` → ``xaxis2``)."""
    names = {key for key in layout if _AXIS.match(key)}
    for trace in data:
        if trace.get("type", "scatter") in _NOT_CARTESIAN:
            continue
        for letter in "xy":
            ref = trace.get(f"{letter}axis") or letter
            names.add(f"{letter}axis{ref[1:]}")
    return sorted(names)


def _annotations(annotations: list, size: int) -> list:
    small = [a for a in annotations if ((a.get("font") or {}).get("size") or size) < size]
    dense = len(small) > DENSE_LABELS
    out = []
    for a in annotations:
        a = dict(a)
        if dense and ((a.get("font") or {}).get("size") or size) < size:
            a["visible"] = False
        a["font"] = _at_least(a.get("font"), size, a.get("text") or "")
        out.append(a)
    return out


def _lines(text: Any) -> int:
    return str(text or "").lower().count("<br") + 1


def _room_above(layout: dict) -> None:
    """Widen the top margin for the (now larger) title and panel titles drawn above the plot area."""
    needed = 0
    for a in layout["annotations"]:
        above = a.get("yref", "y").startswith("paper") and (a.get("y") or 0) >= 0.999
        if a.get("visible") is False or not above or a.get("yanchor", "auto") not in ("bottom", "auto"):
            continue
        needed = max(
            needed,
            int(_lines(a.get("text")) * a["font"]["size"] * LINE_HEIGHT) + 6 + int(a.get("yshift") or 0),
        )
    title = layout["title"]
    if (
        title.get("text")
        and title.get("yref", "container") == "container"
        and title.get("y", "auto") == "auto"
    ):
        if needed:  # the title at the very top, the panel titles below it
            title.update(y=1, yanchor="top", pad={**title.get("pad", {}), "t": 6})
        needed += int(_lines(title["text"]) * title["font"]["size"] * LINE_HEIGHT) + 12
    margin = layout.setdefault("margin", {})
    if needed > margin.get("t", 100):  # the plot area keeps its height
        layout["height"] += needed - margin.get("t", 100)
        margin["t"] = needed


def _trace_text(trace: dict, size: int) -> None:
    """Raise the fonts a trace draws: numbers in cells, text labels, its colour bar, hover text."""
    if trace.get("texttemplate") or trace.get("text") is not None or "text" in str(trace.get("mode", "")):
        trace["textfont"] = _at_least(trace.get("textfont"), size)
    if trace.get("showscale") is not False and trace.get("type") in (
        "heatmap",
        "contour",
        "histogram2d",
        "histogram2dcontour",
        "surface",
    ):
        trace["colorbar"] = _colorbar(trace.get("colorbar"), size)
    marker = trace.get("marker")
    if isinstance(marker, dict) and marker.get("showscale"):
        marker["colorbar"] = _colorbar(marker.get("colorbar"), size)
    if isinstance(trace.get("hoverlabel"), dict):
        trace["hoverlabel"]["font"] = _at_least(trace["hoverlabel"].get("font"), size)

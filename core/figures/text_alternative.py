"""A short text alternative for any Plotly figure, read from the figure itself: what a screen reader
says for a chart (``st.plotly_chart(alt=...)``; WCAG 1.1.1, non-text content).

:func:`text_alternative` names the figure (its title, or its panels' titles), the kind of chart
(heat map, line chart, image ...) and what its axes show; a page that can say more (what the
student should see in it) passes its own ``alt=`` to :func:`core.adapters.display.show_figure`.
Invisible traces (a clickable ``"pick"`` grid) are left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

#: Words for Plotly's trace types (``scatter`` depends on its ``mode``).
TRACE_WORDS = {
    "heatmap": "heat map",
    "image": "image",
    "bar": "bar chart",
    "histogram": "histogram",
    "contour": "contour plot",
    "surface": "3-D surface",
    "scatter3d": "3-D scatter plot",
    "table": "table",
    "pie": "pie chart",
    "box": "box plot",
    "violin": "violin plot",
    "sankey": "flow diagram",
}
#: How many panel labels of an untitled figure its text alternative names.
LABELS_SHOWN = 6
#: Longest text alternative: a short description, not a full account of the data.
MAX_CHARS = 240

_TAG = re.compile(r"<br\s*/?>|<[^>]+>", re.IGNORECASE)


def plain_text(text: Any) -> str:
    """Plotly's HTML-ish label text as plain words: tags dropped (``<br>`` becomes a space),
    entities decoded, runs of white space made one."""
    if text is None:
        return ""
    out = _TAG.sub(lambda m: " " if m.group(0).lower().startswith("<br") else "", str(text))
    return " ".join(html.unescape(out).split())


def _title(layout: Mapping) -> str:
    title = layout.get("title")
    return plain_text(title.get("text") if isinstance(title, Mapping) else title)


def _panel_titles(layout: Mapping) -> list[str]:
    """Subplot titles: annotations placed on the paper (``make_subplots(subplot_titles=...)``)."""
    notes = layout.get("annotations") or ()
    return [
        plain_text(a.get("text"))
        for a in notes
        if isinstance(a, Mapping) and a.get("xref") == "paper" and a.get("yref") == "paper" and a.get("text")
    ]


def _labels(layout: Mapping) -> list[str]:
    """The texts of the annotations placed on the data (a grid's panel labels, a matrix's numbers)."""
    notes = layout.get("annotations") or ()
    return [
        plain_text(a.get("text"))
        for a in notes
        if isinstance(a, Mapping)
        and a.get("text")
        and not (a.get("xref") == "paper" and a.get("yref") == "paper")
    ]


def _visible(trace: Mapping) -> bool:
    """Whether a trace draws something of its own: not hidden, not the pick grid, not only labels."""
    if trace.get("visible") is False or trace.get("name") == "pick" or trace.get("mode") == "text":
        return False
    marker = trace.get("marker")
    return not (isinstance(marker, Mapping) and marker.get("opacity") == 0 and trace.get("mode") == "markers")


def _trace_word(trace: Mapping) -> str:
    kind = trace.get("type") or "scatter"
    if kind in ("scatter", "scattergl"):
        mode = str(trace.get("mode") or "lines")
        if "lines" in mode:
            return "line chart"
        return "scatter plot"
    return TRACE_WORDS.get(kind, "chart")


def _axis_title(layout: Mapping, name: str) -> str:
    axis = layout.get(name)
    if not isinstance(axis, Mapping):
        return ""
    title = axis.get("title")
    return plain_text(title.get("text") if isinstance(title, Mapping) else title)


def text_alternative(fig) -> str:
    """A one-sentence description of a Plotly figure, for screen readers.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or dict
        The figure, or its dict (``{"data": [...], "layout": {...}}``).

    Returns
    -------
    str
        Never empty, at most :data:`MAX_CHARS` characters, e.g. ``"Feature map: heat map; x axis:
        column, y axis: row."`` or ``"Chart with 4 panels (Input, Kernel, Output, Sum): image."``.

    Raises
    ------
    ValueError
        If ``fig`` is neither a figure nor a mapping with a ``data`` list: pass ``go.Figure`` or its
        ``to_dict()``.
    """
    spec = fig.to_dict() if hasattr(fig, "to_dict") else fig
    if not isinstance(spec, Mapping) or not isinstance(spec.get("data", []), (list, tuple)):
        raise ValueError(
            f"fig must be a Plotly figure or its dict with a 'data' list, got {type(fig).__name__}: "
            "pass go.Figure(...) or fig.to_dict()"
        )
    layout = spec.get("layout") or {}
    traces = [t for t in spec.get("data") or () if isinstance(t, Mapping) and _visible(t)]
    words = list(dict.fromkeys(_trace_word(t) for t in traces)) or ["chart"]
    axes = {t.get("xaxis", "x") for t in traces if (t.get("type") or "scatter") not in ("pie", "table")}
    panels = _panel_titles(layout)
    name = _title(layout)
    if not name and panels:
        name = f"Chart with {len(panels)} panels ({', '.join(panels)})"
    elif not name and len(axes) > 1:
        name = f"Chart with {len(axes)} panels"
    kinds = ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]
    if name:
        parts = [f"{name}: {kinds}"]
    else:
        parts = [kinds[0].upper() + kinds[1:]]
        labels = list(dict.fromkeys(_labels(layout)))
        if labels:  # an untitled grid of panels says what its panels are
            shown = ", ".join(labels[:LABELS_SHOWN]) + (", …" if len(labels) > LABELS_SHOWN else "")
            parts[0] += f" labelled {shown}"

    x, y = _axis_title(layout, "xaxis"), _axis_title(layout, "yaxis")
    if x or y:
        parts.append(", ".join(f"{a} axis: {t}" for a, t in (("x", x), ("y", y)) if t))
    text = "; ".join(parts)
    text += "" if text.endswith("…") else "."
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"

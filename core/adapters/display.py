"""How figures and tables are shown on a page: :func:`show_figure` (Plotly, lecture sizes, a text
alternative for screen readers) and :func:`show_table` (a data frame, or an HTML table in lecture mode).

Figures may be cached and shared by every session, so they are never changed here: lecture mode
styles a copy (:func:`style_figure`).
"""

from __future__ import annotations

import copy
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core.adapters.lecture_mode import is_lecture
from core.figures.projector import projector_layout
from core.figures.text_alternative import text_alternative

#: Plotly's configuration for every chart: no Plotly logo, a 2× PNG download in the toolbar.
PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def _styled_spec(fig, height: int | None) -> dict:
    """A copy of ``fig`` as a dict with lecture-mode sizes (bigger fonts and figures) or ``height``."""
    spec = fig.to_dict() if hasattr(fig, "to_dict") else copy.deepcopy(fig)
    if is_lecture():  # every font of the figure's own layout, not only CSS: per-axis fonts win over CSS
        return projector_layout(spec, height=height)
    layout = spec.setdefault("layout", {})
    if height:
        layout["height"] = height
    return spec


def style_figure(fig, *, height: int | None = None):
    """A lecture-styled copy of a Plotly figure (``fig`` itself is left as it is)."""
    return go.Figure(_styled_spec(fig, height), _validate=False)


def show_figure(
    fig,
    *,
    key: str | None = None,
    on_select: Any = "ignore",
    selection_mode=("points",),
    height: int | None = None,
    alt: str | None = None,
):
    """``st.plotly_chart`` of a styled copy of ``fig`` (lecture sizes), with a text alternative and a
    PNG download in the toolbar. ``fig`` is not changed, so a cached figure can be shown to every session.

    Parameters
    ----------
    fig : plotly Figure or dict
        The figure.
    key, on_select, selection_mode
        As ``st.plotly_chart``'s (``selection_mode`` is used only when ``on_select`` is not "ignore").
    height : int, optional
        The figure's height in px (lecture mode scales it).
    alt : str, optional
        What the chart shows, in a short sentence, for screen readers. Without it the text is read
        from the figure (:func:`core.figures.text_alternative.text_alternative`: title, chart kind,
        axis titles); a page passes its own where it can say more.

    Returns
    -------
    The element, or the selection state when ``on_select`` is not "ignore" (as ``st.plotly_chart``).
    """
    alt = alt.strip() if alt and alt.strip() else text_alternative(fig)
    if is_lecture() or height:
        fig = style_figure(fig, height=height)  # a copy; Streamlit serialises ``fig`` as it is
    if on_select == "ignore":
        return st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG, alt=alt)
    return st.plotly_chart(
        fig, key=key, on_select=on_select, selection_mode=selection_mode, config=PLOTLY_CONFIG, alt=alt
    )


def show_table(data, *, hide_index: bool = False, **dataframe_options) -> None:
    """Show a table: ``st.dataframe`` (sortable, scrollable) outside lecture mode; in lecture mode a
    plain HTML table whose text follows the lecture font (at least 20 px).

    Why: the data frame draws on a canvas with a font it computes once, when it mounts, from the root
    font size at that moment; when it mounts in the same render as the lecture style, it keeps
    Streamlit's 14 px for good. An HTML table follows the lecture CSS whenever it applies.

    Parameters
    ----------
    data : pandas.DataFrame, dict of columns or list of row dicts
        What ``st.dataframe`` accepts.
    hide_index : bool, optional
        Leave the row index out (a default ``RangeIndex`` is always left out in lecture mode).
    **dataframe_options
        Passed to ``st.dataframe`` outside lecture mode (``width=``, ``column_config=`` ...).
    """
    if not is_lecture():
        st.dataframe(data, hide_index=hide_index, **dataframe_options)
        return
    import pandas as pd

    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    index = not hide_index and not isinstance(frame.index, pd.RangeIndex)
    st.html(frame.to_html(index=index, border=0, classes="lecture-table", escape=True, na_rep=""))

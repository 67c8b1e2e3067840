"""The projector's live histogram of a live session's answers ("predict, then reveal")."""

from __future__ import annotations

import plotly.graph_objects as go

from core.data.room_questions import Histogram

#: Bar colours: the answers, and the bar of the app's own answer once revealed.
ANSWER_COLOR = "#4c78a8"
REVEALED_COLOR = "#e45756"


def answer_label(answer) -> str | None:
    """The bar label the app's ``answer`` has in a :class:`~core.data.room_questions.Histogram`
    (``14.0`` → ``"14"``, a choice's label as it is); None for no answer."""
    if answer is None:
        return None
    return f"{answer:g}" if isinstance(answer, (int, float)) else str(answer)


def answers_figure(histogram: Histogram, *, title: str = "") -> go.Figure:
    """A bar chart of ``histogram``: one bar per label, its count on top; once revealed, the bar
    whose label is the app's answer in :data:`REVEALED_COLOR`.

    Parameters
    ----------
    histogram : Histogram
        From :meth:`core.data.rooms.RoomStore.histogram`.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Bars over the labels; an empty chart with the text "No answers yet" when ``total`` is 0.
    """
    target = answer_label(histogram.answer) if histogram.revealed else None
    labels = list(histogram.labels)
    if target is not None and target not in labels and histogram.total:
        labels, counts = [*labels, target], [*histogram.counts, 0]  # nobody said it: still show where
    else:
        counts = list(histogram.counts)
    colors = [REVEALED_COLOR if label == target else ANSWER_COLOR for label in labels]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=counts,
            marker_color=colors,
            text=counts,
            textposition="outside",
            hovertemplate="%{x}: %{y} answers<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "x": 0.5, "xanchor": "center"},
        height=360,
        dragmode=False,
        margin={"l": 40, "r": 20, "t": 60 if title else 20, "b": 40},
        showlegend=False,
        xaxis={"type": "category", "title": "Answer"},
        yaxis={
            "title": "Students",
            "rangemode": "tozero",
            "dtick": 1 if max(counts, default=0) < 10 else None,
        },
    )
    if not histogram.total:
        fig.add_annotation(text="No answers yet", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig

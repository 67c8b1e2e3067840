"""What a widget offers to a live session, and what it takes from the lecturer's (no page imports).

The matrix editor (:func:`core.adapters.image_input.matrix_editor`) and the digit canvas
(:func:`core.adapters.widgets.canvas.digit_canvas`) hold examples the page's link cannot: they
:func:`offer` theirs (sent by :mod:`core.adapters.live_examples` if this session leads a room) and,
while the session follows one, show the lecturer's instead (:func:`from_lecturer`).
"""

from __future__ import annotations

import streamlit as st

OFFERED_KEY = "live_examples_offered"  # lecturer: {"matrix": (key, values), "drawing": (key, side, png)}
FROM_LECTURER_KEY = "live_examples_from_lecturer"  # follower: {"matrix": ..., "drawing": ...} as decoded
FOLLOW_KEY = "live_follow"  # core.adapters.live_session.FOLLOW_KEY (imported here it would make a cycle)


def offer(kind: str, example: tuple) -> None:
    """A widget offers its current example to the room this session may lead: ``("matrix", (key,
    values))`` or ``("drawing", (key, side, png))``. Cheap: kept in the session, sent by the next
    publication only if this session leads and the example changed."""
    if kind not in ("matrix", "drawing"):
        raise ValueError("kind must be 'matrix' or 'drawing'")
    st.session_state.setdefault(OFFERED_KEY, {})[kind] = example


def withdraw(kind: str, key: str) -> None:
    """The widget ``key`` has no example any more (a cleared canvas): the room stops sending it."""
    offered = st.session_state.get(OFFERED_KEY, {})
    if offered.get(kind) is not None and offered[kind][0] == key:
        del offered[kind]


def from_lecturer(kind: str, key: str):
    """The lecturer's ``kind`` example for the widget ``key`` while this session follows a room (not
    exploring on its own): ``values`` for a matrix, ``(side, png)`` for a drawing; else None."""
    following = st.session_state.get(FOLLOW_KEY)
    if following is None or following.get("exploring"):
        return None
    example = st.session_state.get(FROM_LECTURER_KEY, {}).get(kind)
    if example is None or example[0] != key:
        return None
    return example[1] if kind == "matrix" else example[1:]

"""The lecturer's own examples in a live session: the uploaded photo, the perceptron points, a typed
matrix and a drawing.

The link carries a view's controls; what the lecturer made themselves travels in the room's payload
(:mod:`core.data.room_examples`: JSON, size-capped, fetched by followers only when its digest changes).

- **Lecturer.** :func:`lecturer_payload` gives the payload for the session's photo (the upload every
  page shares, :data:`core.adapters.image_input.SHARED_IMAGE_KEY`), the Perceptron page's points and
  the last matrix and drawing the widgets offered (:mod:`core.adapters.live_offers`: the matrix
  editor, the digit canvas); it is
  encoded once per content and kept in the session.
- **Follower.** :func:`receive` fetches a new payload once, checks it, decodes the photo with the
  uploads' bounded decoder (:func:`core.adapters.image_input.upload_entry`) and puts the photo and the
  points where the pages keep them, so a page that shows "Your photo" or "Your points" shows the
  lecturer's; the matrix editor and the digit canvas ask
  :func:`core.adapters.live_offers.from_lecturer` for theirs while the session follows.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from core.adapters import image_input
from core.adapters.live_offers import FROM_LECTURER_KEY, OFFERED_KEY
from core.data.images import ImageLoadError
from core.data.room_examples import EXAMPLES_KIND, ExampleError, decode_examples, encode_examples
from core.data.room_records import RoomError
from core.data.shared_store import SharedStoreError

SENT_KEY = "live_examples_sent"  # lecturer: (what the payload was made from, the payload)
RECEIVED_KEY = "live_examples_received"  # follower: the digest of the payload applied last
#: The Perceptron page's points (pages/perceptron.py): its table, the editor's version (a new version
#: starts the editor from the table) and the table as edited in the last run.
POINTS_KEY, POINTS_VERSION_KEY, POINTS_NOW_KEY = "perc_points", "perc_points_v", "perc_points_now"
POINT_COLUMNS = ("x1", "x2", "class")


def _lecturer_points() -> np.ndarray | None:
    table = st.session_state.get(POINTS_NOW_KEY)
    if table is None:
        return None
    try:
        rows = table[list(POINT_COLUMNS)].dropna().to_numpy(dtype=np.float64)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return rows if len(rows) else None


def _digest(value) -> str | None:
    if value is None:
        return None
    return hashlib.sha256(
        repr(value).encode() if not isinstance(value, np.ndarray) else value.tobytes()
    ).hexdigest()


def lecturer_payload() -> bytes | None:
    """The payload of this session's examples (:data:`core.data.room_examples.EXAMPLES_KIND`), or None.

    Examples that break the limits (too many points) are left out rather than refused: the view
    still travels."""
    entry = st.session_state.get(image_input.SHARED_IMAGE_KEY)
    points = _lecturer_points()
    offered = st.session_state.get(OFFERED_KEY, {})
    matrix, drawing = offered.get("matrix"), offered.get("drawing")
    made_from = (
        entry["sha256"] if entry else None,
        _digest(points),
        None if matrix is None else (matrix[0], _digest(np.asarray(matrix[1], np.float32))),
        None if drawing is None else (drawing[0], drawing[1], _digest(drawing[2])),
    )
    sent = st.session_state.get(SENT_KEY)
    if sent is not None and sent[0] == made_from:
        return sent[1]
    parts = {}
    if entry:
        parts["photo"] = (entry["name"], entry["pixels"])
    if points is not None:
        parts["points"] = points
    if matrix is not None:
        parts["matrix"] = matrix
    if drawing is not None:
        parts["drawing"] = drawing
    payload = None
    for leave_out in ((), ("photo",), ("drawing",), ("matrix", "drawing"), ("photo", "matrix", "drawing")):
        try:
            payload = encode_examples(**{k: v for k, v in parts.items() if k not in leave_out})
            break
        except ValueError:
            continue
    st.session_state[SENT_KEY] = (made_from, payload)
    return payload


def lead_view(page: str, params: dict) -> dict:
    """The view :meth:`core.data.rooms.RoomStore.lead` publishes: page, parameters and examples."""
    view = {"page": page, "params": params}
    payload = lecturer_payload()
    if payload is not None:
        view.update(payload=payload, payload_kind=EXAMPLES_KIND)
    return view


def receive(store, code: str, payload: dict | None) -> bool:
    """Apply the room's examples (``RoomView.payload``) when their digest changed since the last call.

    Returns True when something new was put into this session (the page should run again). A payload
    that cannot be read is reported once and not fetched again.
    """
    if not isinstance(payload, dict) or st.session_state.get(RECEIVED_KEY) == payload.get("sha256"):
        return False
    sha = str(payload.get("sha256"))
    st.session_state[RECEIVED_KEY] = sha
    try:
        found = store.payload(code, sha)
        if found is None or found[0] != EXAMPLES_KIND:
            return False
        examples = decode_examples(found[1])
        if "photo" in examples:
            name, data = examples["photo"]
            entry = image_input.upload_entry(f"the lecturer's {name}", data, file_id=f"live:{sha}")
    except (RoomError, ExampleError, ImageLoadError, SharedStoreError) as exc:
        st.toast(f"The lecturer's example could not be shown: {exc}")
        return False
    if "photo" in examples:
        st.session_state[image_input.SHARED_IMAGE_KEY] = entry
    if "points" in examples:
        import pandas as pd

        rows = examples["points"]
        st.session_state[POINTS_KEY] = pd.DataFrame(
            {"x1": rows[:, 0], "x2": rows[:, 1], "class": rows[:, 2].astype(int)}
        )
        st.session_state[POINTS_VERSION_KEY] = int(st.session_state.get(POINTS_VERSION_KEY, 0)) + 1
    st.session_state[FROM_LECTURER_KEY] = {k: examples[k] for k in ("matrix", "drawing") if k in examples}
    return True

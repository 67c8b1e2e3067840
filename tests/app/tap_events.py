"""Send a Plotly click (a selection, what a mouse click on a chart sends) or a touch tap (the trigger of
:mod:`core.adapters.tap`'s listener) to a page in AppTest, which has no API for either: the widget
state the browser would send is added to the next run, exactly as Streamlit's frontend encodes it."""

from __future__ import annotations

import json

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.testing.v1 import AppTest

from core.adapters.tap import TAP_SUFFIX


def _element_id(at: AppTest, kind: str, key: str) -> str:
    ids = [e.proto.id for e in at.get(kind) if e.proto.id.endswith("-" + key)]
    assert len(ids) == 1, f"expected one {kind} with key {key!r}, found {ids}"
    return ids[0]


def _run_with(at: AppTest, widget_id: str, **value) -> AppTest:
    states = at._tree.get_widget_states()
    kept = [w for w in states.widgets if w.id != widget_id]
    del states.widgets[:]
    states.widgets.extend(kept)
    state = states.widgets.add()
    state.id = widget_id
    for field, v in value.items():
        setattr(state, field, v)
    at._run(states)
    assert not at.exception, [e.message for e in at.exception]
    return at


def click(at: AppTest, chart_key: str, point: dict) -> AppTest:
    """A mouse click on the chart ``chart_key`` that selects ``point`` (Plotly's selection event)."""
    selection = {"points": [point], "point_indices": [point.get("point_index", 0)], "box": [], "lasso": []}
    return _run_with(
        at, _element_id(at, "plotly_chart", chart_key), string_value=json.dumps({"selection": selection})
    )


def tap(at: AppTest, chart_key: str, point: dict) -> AppTest:
    """A touch tap on the chart ``chart_key`` as ``core/adapters/static/tap.js`` reports it."""
    base = _element_id(at, "bidi_component", chart_key + TAP_SUFFIX)
    payload = [{"event": "tap", "value": {**point, "tap": 1234.5}}]
    return _run_with(at, _make_trigger_id(base, "events"), json_trigger_value=json.dumps(payload))

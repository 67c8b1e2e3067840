"""The widgets a page drew, as the browser knows them, and the ``WidgetState`` it sends for each.

A widget is learnt from its ``new_element`` delta (its id ends with ``-<key>``). The browser sends
every drawn widget's state on every rerun: the proto's ``default`` unless the server set
``set_value`` or the student changed it; buttons only as a one-off ``trigger_value``; form widgets
only once their form is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState


@dataclass
class Widget:
    """A widget the page drew, as the browser knows it."""

    id: str
    kind: str  # the Element oneof: slider, selectbox, button, ...
    proto: Any
    fragment_id: str
    form_id: str
    state: WidgetState | None  # what the browser sends on every rerun; None: nothing
    committed: bool = False  # a form widget whose form was submitted


def _option_label(options, value) -> str | None:
    """The option label a click names: its label, else an int index, else a label prefix."""
    options = list(options)
    if str(value) in options:
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(options):
        return options[value]
    return next((o for o in options if o.startswith(str(value))), None)


def _has(proto, name: str) -> bool:
    try:
        return proto.HasField(name)
    except ValueError:
        return True


def initial_state(widget_id: str, kind: str, proto) -> WidgetState | None:
    """The state the frontend holds for a widget it has just drawn (``value`` if set, else default)."""
    state = WidgetState(id=widget_id)
    set_value = getattr(proto, "set_value", False)
    if kind == "slider":
        if proto.type == Slider.SELECT_SLIDER:
            labels = list(proto.raw_value) if set_value else [proto.options[int(i)] for i in proto.default]
            state.string_array_value.data.extend(labels)
        else:
            state.double_array_value.data.extend(list(proto.value) if set_value else list(proto.default))
    elif kind in ("selectbox", "radio"):
        if set_value:
            if not _has(proto, "raw_value"):
                return None
            state.string_value = proto.raw_value
        elif _has(proto, "default") and 0 <= proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "number_input":
        name = "value" if set_value else "default"
        if not _has(proto, name):
            return None
        number = getattr(proto, name)
        if proto.data_type == NumberInput.INT:
            state.int_value = int(number)
        else:
            state.double_value = number
    elif kind == "checkbox":
        state.bool_value = proto.value if set_value else proto.default
    elif kind in ("text_input", "text_area"):
        name = "value" if set_value else "default"
        if not _has(proto, name):
            return None
        state.string_value = getattr(proto, name)
    else:
        return None
    return state


def clicked_state(widget: Widget, value) -> WidgetState | None:
    """The state the browser sends after the student sets ``widget`` to ``value``; None if it can't."""
    proto, state = widget.proto, WidgetState(id=widget.id)
    if widget.kind == "button":
        state.trigger_value = True
    elif widget.kind == "slider" and proto.type == Slider.SELECT_SLIDER:
        label = _option_label(proto.options, value)
        if label is None:
            return None
        state.string_array_value.data.append(label)
    elif widget.kind == "slider":
        values = value if isinstance(value, (list, tuple)) else [value]
        numbers = [min(max(float(v), proto.min), proto.max) for v in values]
        if proto.data_type == Slider.INT:
            numbers = [float(round(v)) for v in numbers]
        state.double_array_value.data.extend(numbers)
    elif widget.kind in ("selectbox", "radio"):
        label = _option_label(proto.options, value)
        if label is None:
            return None
        state.string_value = label
    elif widget.kind == "number_input":
        number = value
        if proto.has_min:
            number = max(number, proto.min)
        if proto.has_max:
            number = min(number, proto.max)
        if proto.data_type == NumberInput.INT:
            state.int_value = int(number)
        else:
            state.double_value = float(number)
    elif widget.kind == "checkbox":
        state.bool_value = bool(value)
    elif widget.kind in ("text_input", "text_area"):
        state.string_value = str(value)
    else:
        return None
    return state


class WidgetTracker:
    """Every widget the page drew, its fragment and the state the browser would send."""

    def __init__(self) -> None:
        self.by_id: dict[str, Widget] = {}
        self.seen: set[str] = set()

    def run_started(self) -> None:
        self.seen = set()

    def element(self, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind, None) if kind else None
        widget_id = getattr(proto, "id", "") if proto is not None else ""
        if not widget_id or not isinstance(widget_id, str):
            return
        old = self.by_id.get(widget_id)
        keep = old is not None and old.kind == kind and not getattr(proto, "set_value", False)
        state = old.state if keep else initial_state(widget_id, kind, proto)
        self.by_id[widget_id] = Widget(
            widget_id,
            kind,
            proto,
            fragment_id,
            getattr(proto, "form_id", ""),
            state,
            committed=keep and old.committed,
        )
        self.seen.add(widget_id)

    def run_finished(self, fragment_ids: list[str]) -> None:
        """Forget widgets the finished run did not draw (only the fragment's, for a fragment run)."""
        for widget_id, widget in list(self.by_id.items()):
            in_run = not fragment_ids or widget.fragment_id in fragment_ids
            if in_run and widget_id not in self.seen:
                del self.by_id[widget_id]

    def find(self, key: str) -> Widget | None:
        matches = [w for w in self.by_id.values() if w.id == key or w.id.endswith("-" + key)]
        return next((w for w in matches if w.id in self.seen), matches[0] if matches else None)

    def submit_button(self, form_id: str) -> Widget | None:
        return next(
            (
                w
                for w in self.by_id.values()
                if w.kind == "button" and w.proto.is_form_submitter and w.form_id == form_id
            ),
            None,
        )

    def states(self, extra: list[WidgetState]) -> list[WidgetState]:
        out = {
            w.id: w.state
            for w in self.by_id.values()
            if w.state is not None and (not w.form_id or w.committed)
        }
        out.update({s.id: s for s in extra})
        return list(out.values())

"""A hostile student's inputs in AppTest: long pastes, a crafted canvas image, a flood of data-editor
rows; and the largest message the app sends still fits ``server.maxMessageSize``.

Browsers cannot send these (the text box stops at ``max_chars``, the canvas sends its own size, a
fixed grid has no "add row"), but a crafted websocket message can. AppTest's widgets refuse them
too, so the crafted values go in the way the server receives them: as a ``WidgetStates`` message
for the element's id (:func:`send`).
"""

from __future__ import annotations

import base64
import io
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

ROOT = Path(__file__).resolve().parents[2]
PASTE_4MB = "[" + "1, " * (4 * 2**20 // 3) + "1]"  # over the inbound limit (2 MB)
PASTE_1MB = "[" + "1, " * (2**20 // 3) + "1]"  # under it: it reaches the page


def element_id(at: AppTest, key: str) -> str:
    """The widget id of the element whose id ends with ``-<key>`` (custom components and data
    editors are not AppTest widgets, but their protos carry the id)."""
    stack, found = list(at._tree.children.values()), []
    while stack:
        node = stack.pop()
        proto_id = getattr(getattr(node, "proto", None), "id", "")
        if isinstance(proto_id, str) and proto_id.endswith(f"-{key}"):
            found.append(proto_id)
        stack.extend(getattr(node, "children", {}).values())
    assert len(found) == 1, (key, found)
    return found[0]


def send(at: AppTest, key: str, *, json_value=None, string_value=None) -> AppTest:
    """Rerun ``at`` as if the browser had sent this value for the element ``key`` (with the other
    widgets' current values), as the server receives a rerun request."""
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())
    state = states.widgets.add()
    state.id = element_id(at, key)
    if json_value is not None:
        state.json_value = json.dumps(json_value)
    else:
        state.string_value = json.dumps(string_value)
    return at._run(states)


# --- typed text ------------------------------------------------------------------------------------


def test_a_4mb_paste_never_reaches_the_page(literal_eval_calls):
    """``server.maxWidgetStateSize`` refuses the rerun before the script runs (a real server closes the
    socket even earlier, on the frame's size); a browser never sends it (the box stops at max_chars)."""
    at = open_page("layer_arithmetic", query={"part": "tensors"})
    literal_eval_calls.clear()
    at.text_input(key="arch_reshape_values").set_value(PASTE_4MB).run()
    assert len(at.exception) == 1 and not at.code and not at.error  # nothing of the page ran
    assert literal_eval_calls == []


def test_layer_arithmetic_refuses_a_long_paste_with_its_message(literal_eval_calls):
    at = open_page("layer_arithmetic", query={"part": "tensors"})
    box = at.text_input(key="arch_reshape_values")
    assert box.max_chars == 4001 and "At most 4,000 characters" in box.help
    box.set_value(PASTE_1MB).run()  # a crafted message: more than max_chars
    assert not at.exception, [e.message for e in at.exception]
    assert any(
        e.value == "Array: at most 4,000 characters here, got 4,001. Type fewer or shorter values."
        for e in at.error
    )
    assert max(literal_eval_calls) <= 20  # only the other, short boxes were parsed
    assert any(c.value.endswith("a * b: shape (3,)\n[2, 4, 6]") for c in at.code)  # the rest still works


def test_layer_arithmetic_refuses_huge_shapes_without_a_traceback():
    at = open_page("layer_arithmetic", query={"part": "tensors"})
    at.text_input(key="arch_tensor_shape").set_value("(1" + "0" * 400 + ")").run()
    assert not at.exception
    assert any("Shape: at most 100 characters here, got 101" in e.value for e in at.error)
    at.text_input(key="arch_tensor_shape").set_value("(1" + "0" * 89 + ")").run()
    assert not at.exception and any("each axis is at most 1,000,000,000" in e.value for e in at.error)
    at.text_input(key="arch_tensor_shape").set_value("(1000000000, 1000000000, 3)").run()
    assert not at.exception and any("(10^15) in all here" in e.value for e in at.error)


def test_every_text_box_says_its_limit():
    for page, query, keys in [
        (
            "layer_arithmetic",
            {"part": "tensors"},
            ["arch_tensor_shape", "arch_reshape_values", "arch_reshape_shape", "arch_bc_a", "arch_bc_b"],
        ),
        ("layer_arithmetic", {"part": "residual"}, ["arch_res_a"]),
        ("convolution", {}, ["conv1d_x", "conv1d_w"]),
    ]:
        at = open_page(page, query=query)
        for key in keys:
            box = at.text_input(key=key)
            assert box.max_chars and f"At most {box.max_chars - 1:,} characters" in box.help, key


def test_the_1d_convolution_refuses_a_long_paste():
    at = open_page("convolution")
    at.text_input(key="conv1d_x").set_value(PASTE_1MB).run()
    assert not at.exception
    assert any(e.value.startswith("Signal x: at most 1,000 characters here, got 1,001") for e in at.error)


# --- the drawing canvas ----------------------------------------------------------------------------


def canvas_script():
    import streamlit as st

    from core.adapters.widgets import canvas

    drawn = canvas.digit_canvas("t_canvas", size=280, upload_prefix="t")
    st.session_state["drawn"] = None if drawn is None else (drawn.shape, int((drawn[..., 0] == 0).sum()))


def data_url(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def drawing_state(url) -> dict:
    return {"drawing": {"raw": {"objects": []}, "data": url}}


def test_the_canvas_refuses_a_30_megapixel_image_and_takes_a_drawing():
    at = AppTest.from_function(canvas_script, default_timeout=60).run()
    assert at.session_state["drawn"] is None and not at.error
    send(at, "t_canvas", json_value=drawing_state(data_url(Image.new("L", (6000, 5000), 255))))
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["drawn"] is None
    assert at.error[0].value.startswith(
        "This drawing is refused: The drawing is 6,000×5,000 pixels (30.0 MP); this canvas is 280×280."
    )
    pixels = np.full((280, 280, 4), 255, np.uint8)
    pixels[60:220, 130:150, :3] = 0  # a black "1", 3,200 pixels
    send(at, "t_canvas", json_value=drawing_state(data_url(Image.fromarray(pixels))))
    assert not at.exception and not at.error
    assert at.session_state["drawn"] == ((280, 280, 4), 3200)


@pytest.mark.parametrize(
    "state",
    [
        drawing_state("data:image/png,no-base64-here"),
        {"drawing": "oops"},
        drawing_state("data:image/png;base64," + base64.b64encode(b"junk").decode()),
    ],
)
def test_a_malformed_canvas_value_gets_a_message(state):
    at = AppTest.from_function(canvas_script, default_timeout=60).run()
    send(at, "t_canvas", json_value=state)
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["drawn"] is None
    assert "Clear the canvas and draw again" in at.error[0].value


# --- data editors ----------------------------------------------------------------------------------


def test_10000_rows_sent_to_the_perceptron_points_are_refused():
    at = open_page("perceptron", query={"data": "your points"})
    rows = [{"x1": 1.0, "x2": 1.0, "class": 1}] * 10_000
    send(at, "perc_editor_0", string_value={"edited_rows": {}, "added_rows": rows, "deleted_rows": []})
    assert not at.exception, [e.message for e in at.exception]
    assert any(w.value.startswith("At most 100 rows here; the edits would make 10,006.") for w in at.warning)
    assert len(at.session_state["perc_points_now"]) == 6  # the table as it was
    send(at, "perc_editor_0", string_value={"edited_rows": {}, "added_rows": rows[:3], "deleted_rows": [0]})
    assert not any("rows here" in w.value for w in at.warning)  # ordinary edits still apply
    assert len(at.session_state["perc_points_now"]) == 8


def matrix_script():
    import streamlit as st

    from core.adapters import image_input

    st.session_state["values"] = image_input.matrix_editor("t_matrix", None).shape


def test_rows_added_to_a_fixed_matrix_are_refused():
    at = AppTest.from_function(matrix_script, default_timeout=60).run()
    assert at.session_state["values"] == (6, 6)
    send(
        at,
        "t_matrix",
        string_value={"edited_rows": {}, "added_rows": [{"0": 1}] * 10_000, "deleted_rows": []},
    )
    assert not at.exception, [e.message for e in at.exception]
    assert at.warning[0].value.startswith("This table has a fixed size (6 rows)")
    assert at.session_state["values"] == (6, 6)
    send(at, "t_matrix", string_value={"edited_rows": {"2": {"3": 7}}, "added_rows": [], "deleted_rows": []})
    assert not at.warning and at.session_state["values"] == (6, 6)


# --- what the server lets in and out ---------------------------------------------------------------


def server_config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]


def largest_element(at: AppTest) -> tuple[int, str]:
    """Bytes and type of the largest element proto in ``at``: each is one ForwardMsg delta."""
    stack, best = list(at._tree.children.values()), (0, "")
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            best = max(best, (proto.ByteSize(), getattr(node, "type", "")))
        stack.extend(getattr(node, "children", {}).values())
    return best


def outgoing_limit() -> int:
    return server_config()["maxMessageSize"] * 10**6  # Streamlit's unit: MB of 10^6 bytes


#: The heaviest figures measured (bench/bench_hostile_inputs.py prints each page's largest message).
HEAVY_VIEWS = [("deep_features", {"size": "512"}), ("training", {}), ("autoencoder", {"model": "vae2d"})]


@pytest.mark.parametrize("page, query", HEAVY_VIEWS)
def test_the_largest_figures_fit_the_outgoing_limit(page, query):
    at = open_page(page, query=query)
    size, kind = largest_element(at)
    assert kind == "plotly_chart" and 50_000 < size and 20 * size < outgoing_limit(), (kind, size)


def test_the_largest_outgoing_message_fits():
    """The perceptron's step log at its largest: 100 points that no line separates, 500 epochs."""
    at = open_page("perceptron", query={"data": "your points", "epochs": "500", "lr": "1.0"})
    rng = np.random.default_rng(0)
    rows = [
        {"x1": float(a), "x2": float(b), "class": int(c)}
        for a, b, c in zip(rng.random(94), rng.random(94), rng.integers(0, 2, 94), strict=False)
    ]
    send(at, "perc_editor_0", string_value={"edited_rows": {}, "added_rows": rows, "deleted_rows": []})
    at.button(key="perc_run").click().run()
    assert not at.exception and len(at.session_state["perc_points_now"]) == 100
    assert at.warning[0].value.startswith("**Whole run:** Did not converge within 500 epochs")
    size, kind = largest_element(at)
    assert kind == "dataframe" and 5 * 10**6 < size and 3 * size < outgoing_limit(), size


def test_the_inbound_widget_state_limit_is_lowered_but_holds_a_drawing_and_a_full_table():
    cfg = server_config()
    inbound = cfg["maxWidgetStateSize"] * 10**6
    assert inbound < 25 * 10**6  # Streamlit's default is 25 MB
    # A 280 x 280 canvas PNG of noise (the worst case) as a data URL, and 100 perceptron points.
    noise = np.random.default_rng(0).integers(0, 256, (280, 280, 4), dtype=np.uint8)
    drawing = json.dumps(drawing_state(data_url(Image.fromarray(noise))))
    table = json.dumps(
        {
            "edited_rows": {},
            "added_rows": [{"x1": -123.456, "x2": 789.012, "class": 1}] * 100,
            "deleted_rows": [],
        }
    )
    assert 4 * (len(drawing) + len(table)) < inbound

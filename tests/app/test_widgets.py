"""The digit canvas (``core.adapters.widgets.canvas``) and the worked-example settings
(``core.adapters.worked_examples``)."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.adapters import worked_examples
from core.adapters.widgets import canvas
from core.data.convolution_examples import WORKED_EXAMPLES
from core.data.digit_input import preprocess_digit

CONTROLS = {
    "conv_applied",
    "conv_stride",
    "conv_bias",
    "conv_dilation",
    "conv_padding",
    "conv_pad",
    "conv_pad_mode",
    "conv_flip",
    "conv_row",
    "conv_col",
    "conv_color",
}


# --- worked examples -------------------------------------------------------------------------------


def test_an_example_with_explicit_padding_sets_every_control():
    state = worked_examples.worked_example_state(WORKED_EXAMPLES["rgb_308"])
    assert set(state) == CONTROLS
    assert state == {
        "conv_applied": "rgb_308",
        "conv_stride": 1,
        "conv_bias": 1.0,
        "conv_dilation": 1,
        "conv_padding": "explicit",
        "conv_pad": 1,
        "conv_pad_mode": "constant",
        "conv_flip": False,
        "conv_row": 0,
        "conv_col": 0,
        "conv_color": "RGB",
    }


def test_named_padding_flip_and_position_are_taken_from_the_example():
    step = worked_examples.worked_example_state(WORKED_EXAMPLES["step_edge"])
    assert (step["conv_padding"], step["conv_pad"], step["conv_color"]) == ("valid", 0, "Grayscale")
    assert (step["conv_row"], step["conv_col"]) == (0, 1)
    assert worked_examples.worked_example_state(WORKED_EXAMPLES["patch_308_flipped"])["conv_flip"] is True
    assert set(worked_examples.worked_example_state(WORKED_EXAMPLES["ng_6x6"], prefix="x")) == {
        key.replace("conv_", "x_") for key in CONTROLS
    }


@pytest.fixture
def session(monkeypatch) -> dict:
    """A plain dict in place of ``st.session_state``."""
    state: dict = {}
    monkeypatch.setattr(st, "session_state", state)
    return state


def test_an_example_is_applied_once_per_choice(session):
    example = WORKED_EXAMPLES["patch_308"]
    assert worked_examples.apply_worked_example(example) is True
    assert session["conv_padding"] == "explicit" and session["conv_applied"] == "patch_308"
    session["conv_stride"] = 3  # the student changes a control ...
    assert worked_examples.apply_worked_example(example) is False  # ... and the next run keeps it
    assert session["conv_stride"] == 3
    assert worked_examples.apply_worked_example(WORKED_EXAMPLES["ng_6x6"]) is True
    assert (session["conv_padding"], session["conv_stride"]) == ("valid", 1)


def test_choosing_no_example_then_the_same_one_applies_it_again(session):
    example = WORKED_EXAMPLES["lines_45_on_line"]
    worked_examples.apply_worked_example(example)
    session["conv_stride"] = 4
    assert worked_examples.apply_worked_example(None) is False and "conv_applied" not in session
    assert session["conv_stride"] == 4  # "no example" leaves the controls alone
    assert worked_examples.apply_worked_example(example) is True and session["conv_stride"] == 1


# --- the digit canvas ------------------------------------------------------------------------------


def test_drawn_pixels_is_none_until_something_is_drawn():
    paper = np.full((224, 224, 4), 255, np.uint8)
    assert canvas.drawn_pixels(None) is None
    assert canvas.drawn_pixels(paper) is None
    drawing = paper.copy()
    drawing[60:170, 100:118, :3] = 0  # a black "1"
    out = canvas.drawn_pixels(drawing)
    assert out is drawing
    digit = preprocess_digit(out)[-1][1]  # the page's next step: a 28 x 28 digit
    assert digit.shape == (28, 28) and digit.max() == 1.0 and digit[:, :6].max() == 0.0


@pytest.mark.parametrize("shape", [(10, 10), (10, 10, 2), (4,)])
def test_drawn_pixels_refuses_other_shapes(shape):
    with pytest.raises(ValueError, match="shape"):
        canvas.drawn_pixels(np.zeros(shape, np.uint8))


def canvas_script():
    import streamlit as st

    from core.adapters.widgets import canvas

    drawn = canvas.digit_canvas("t_canvas", size=120, upload_prefix="t")
    st.session_state["drawn"] = None if drawn is None else drawn.shape


def test_the_canvas_returns_none_before_a_drawing():
    at = AppTest.from_function(canvas_script, default_timeout=30).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["drawn"] is None and not at.info


def test_without_the_canvas_package_an_upload_stands_in(monkeypatch):
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", None)  # import fails
    at = AppTest.from_function(canvas_script, default_timeout=30).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "streamlit-drawable-canvas" in at.info[0].value and at.session_state["drawn"] is None
    buf = io.BytesIO()
    Image.fromarray(np.full((40, 30, 3), 200, np.uint8)).save(buf, format="PNG")
    at.file_uploader(key="t_uploader").set_value(("digit.png", buf.getvalue(), "image/png")).run()
    assert not at.exception and at.session_state["drawn"] == (40, 30, 3)

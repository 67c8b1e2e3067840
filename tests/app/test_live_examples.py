"""The lecturer's typed matrix and drawing in a live session: the lecturer's widgets offer them, the
room carries them (JSON, in its payload), and a follower's matrix editor and digit canvas show the
lecturer's while following, their own again when exploring. Every room lives in a temporary SQLite
store (the fixture of ``test_live_session``)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.adapters import live_offers, live_session
from core.data.convolution_examples import NG_6X6
from core.data.room_examples import EXAMPLES_KIND, decode_examples, encode_examples
from core.data.rooms import open_rooms
from tests.app import test_live_session
from tests.app.test_hostile_inputs import data_url, drawing_state, send
from tests.app.test_live_session import app, following, start_session

store_url = test_live_session.store_url  # the temporary store fixture


def test_the_follow_key_is_the_live_sessions():
    assert live_offers.FOLLOW_KEY == live_session.FOLLOW_KEY


def test_the_lecturers_typed_matrix_reaches_a_follower_and_exploring_gives_theirs_back(store_url):
    lecturer, code, pin = start_session(store_url)
    lecturer.switch_page("pages/convolution.py").run()
    lecturer.radio(key="conv_src").set_value("Type a matrix").run()
    store = open_rooms(store_url)
    view = store.view(code)
    kind, raw = store.payload(code, view.payload["sha256"])
    key, values = decode_examples(raw)["matrix"]
    assert kind == EXAMPLES_KIND and key == "conv_matrix" and np.array_equal(values, np.asarray(NG_6X6))

    theirs = np.arange(36, dtype=np.float32).reshape(6, 6) - 17  # the lecturer typed other numbers
    store.lead(
        code,
        pin,
        {
            "page": "convolution",
            "params": view.params,
            "payload": encode_examples(matrix=("conv_matrix", theirs)),
            "payload_kind": EXAMPLES_KIND,
        },
        session_id="lecturer-laptop",
    )
    student = app({"room": code})
    assert following(student) and student.radio(key="conv_src").value == "Type a matrix"
    assert "The lecturer's matrix" in [c.value for c in student.caption]
    offered = student.session_state[live_offers.OFFERED_KEY]["matrix"]
    assert offered[0] == "conv_matrix" and np.array_equal(offered[1], theirs)  # what the page computed on

    student.button(key="live_explore").click().run()
    assert np.array_equal(student.session_state[live_offers.OFFERED_KEY]["matrix"][1], np.asarray(NG_6X6))


def drawing_script(url: str, code: str) -> None:
    import streamlit as st

    from core.adapters import live_examples
    from core.adapters.widgets import canvas
    from core.data.rooms import open_rooms

    if code:  # a follower: the room's examples, read as the follow check does
        store = open_rooms(url)
        st.session_state.setdefault("live_follow", {"code": code, "exploring": False})
        live_examples.receive(store, code, store.view(code).payload)
    drawn = canvas.digit_canvas("t_canvas", size=280)
    st.session_state["drawn"] = None if drawn is None else int((drawn[..., 0] == 0).sum())


def test_the_lecturers_drawing_reaches_a_follower(store_url):
    lecturer = AppTest.from_function(drawing_script, args=(store_url, ""), default_timeout=60).run()
    pixels = np.full((280, 280, 4), 255, np.uint8)
    pixels[60:220, 130:150, :3] = 0  # a black "1", 3,200 pixels
    send(lecturer, "t_canvas", json_value=drawing_state(data_url(Image.fromarray(pixels))))
    assert lecturer.session_state["drawn"] == 3200
    key, side, png = lecturer.session_state[live_offers.OFFERED_KEY]["drawing"]
    assert (key, side) == ("t_canvas", 280) and png.startswith(b"\x89PNG")

    store = open_rooms(store_url)
    room = store.open_room()
    payload = encode_examples(drawing=(key, side, png))
    store.lead(
        room.code,
        room.pin,
        {"page": "cnn_activations", "params": {}, "payload": payload, "payload_kind": EXAMPLES_KIND},
        session_id="lecturer-laptop",
    )
    student = AppTest.from_function(drawing_script, args=(store_url, room.code), default_timeout=60).run()
    assert not student.exception, [e.message for e in student.exception]
    assert student.session_state["drawn"] == 3200  # the lecturer's "1", through the canvas' own decoder
    (shown,) = student.get("image")
    assert shown.proto.imgs[0].caption == "The lecturer's drawing"
    assert Image.open(io.BytesIO(png)).size == (280, 280)

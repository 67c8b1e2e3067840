"""Live sessions in the app: the lecturer starts one (the PIN shown once, never again in the page or the
link), the projector shows the join code, link and QR code, a student who opens ``?room=CODE`` follows the
lecturer's page and controls, "Explore on my own" stops following, a wrong code is refused with the
store's message, and a reload leads again with the PIN. Every room lives in a temporary SQLite store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.adapters import live_session
from core.data.rooms import open_rooms
from tests.app.apptest import APP
from tests.app.test_error_boundary import shown_text


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    """A fresh room store (and cache folder) of this test only."""
    url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NEURAL_EXPLAINER_QUEUE_URL", url)
    return url


def app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def start_session(store_url) -> tuple[AppTest, str, str]:
    """A lecturer in lecture mode who clicked "Start a live session": (AppTest, code, PIN)."""
    lecturer = app({"lecture": "1"})
    lecturer.sidebar.button(key="live_start").click().run()
    lead = lecturer.session_state[live_session.LEAD_KEY]
    return lecturer, lead["code"], lead["pin"]


def following(at: AppTest) -> bool:
    return any("Following the lecturer" in m.value for m in at.markdown)


def test_no_room_involved_opens_no_store(store_url):
    at = app()
    assert live_session.SESSION_KEY not in at.session_state  # no store call needed a session id
    assert "live_start" not in [b.key for b in at.sidebar.button]  # only in lecture mode


def test_start_shows_the_pin_once_and_projects_code_link_and_qr(store_url):
    lecturer, code, pin = start_session(store_url)
    first = shown_text(lecturer)
    assert f"{pin[:4]} {pin[4:]}" in first  # the dialog, once
    assert code in first and f"http://localhost:8501/?room={code}" in first
    (qr,) = lecturer.get("image")  # the QR code, big enough to scan in a hall
    assert qr.proto.imgs[0].url.endswith(".png")  # sharp modules, no JPEG blur
    png = live_session._qr_png(f"http://localhost:8501/?room={code}")
    assert int.from_bytes(png[16:20], "big") == (29 + 8) * 16  # version 3 + quiet zone, 16 px a module
    assert open_rooms(store_url).view(code).page == "home"

    lecturer.run()
    later = shown_text(lecturer)
    assert pin not in later and pin[:4] + " " + pin[4:] not in later
    assert code in later  # the join code stays on the projector
    assert all(pin not in v and pin[:4] not in v for v in lecturer.query_params.values())
    assert "room" not in lecturer.query_params and lecturer.query_params["lecture"] == "1"
    assert [m.value for m in lecturer.metric if m.label == "Following"] == ["0"]  # nobody follows yet

    lecturer.sidebar.button(key="live_end").click().run()
    assert open_rooms(store_url).view(code) is None
    assert live_session.LEAD_KEY not in lecturer.session_state


def test_the_join_link_and_qr_code_use_the_public_address_when_set(store_url, monkeypatch):
    monkeypatch.setenv("NEURAL_EXPLAINER_PUBLIC_URL", "https://explainer.example.org/course")
    lecturer, code, _ = start_session(store_url)
    shown = shown_text(lecturer)
    assert f"https://explainer.example.org/course/?room={code}" in shown and "localhost" not in shown
    (qr,) = lecturer.get("image")  # drawn from the same link
    assert qr.proto.imgs[0].url.endswith(".png")

    monkeypatch.setenv("NEURAL_EXPLAINER_PUBLIC_URL", "https://user:secret@explainer.example.org/")
    lecturer.run()  # a malformed setting is said on the projector and not used
    assert any("NEURAL_EXPLAINER_PUBLIC_URL" in w.value for w in lecturer.warning)
    assert f"http://localhost:8501/?room={code}" in shown_text(lecturer)
    assert "user:secret" not in shown_text(lecturer)  # the refused address is not projected


def test_a_student_follows_the_lecturers_page_and_slider(store_url):
    lecturer, code, _ = start_session(store_url)
    lecturer.switch_page("pages/convolution.py").run()
    lecturer.slider(key="conv_stride").set_value(2).run()
    assert open_rooms(store_url).view(code).params["stride"] == "2"

    student = app({"room": code})
    assert following(student)
    assert student.slider(key="conv_stride").value == 2  # moved to Convolution, stride 2
    assert student.query_params["stride"] == "2" and student.query_params["room"] == code
    assert "lecture" not in student.query_params  # the lecturer's projector mode stays theirs

    lecturer.slider(key="conv_stride").set_value(3).run()  # the same page, a control changed
    student.run()
    assert student.slider(key="conv_stride").value == 3

    lecturer.run()
    assert [m.value for m in lecturer.metric if m.label == "Following"] == [
        "1"
    ]  # the lecturer sees one follower


def test_explore_on_my_own_stops_following_and_back_returns(store_url):
    store = open_rooms(store_url)
    room = store.open_room()
    store.lead(room.code, room.pin, {"page": "convolution", "params": {"stride": "2"}}, session_id="lecturer")
    student = app({"room": room.code.lower()})  # a typed code in lower case is the same
    assert student.slider(key="conv_stride").value == 2

    student.button(key="live_explore").click().run()
    assert not following(student) and "room" not in student.query_params
    store.lead(room.code, room.pin, {"page": "convolution", "params": {"stride": "4"}}, session_id="lecturer")
    student.run()
    assert student.slider(key="conv_stride").value == 2  # keeps its own view
    assert store.followers(room.code) == 0

    student.button(key="live_back").click().run()
    assert following(student)
    assert student.slider(key="conv_stride").value == 4


def test_a_wrong_code_is_refused_with_the_stores_message(store_url):
    student = app({"room": "ZZZZZZ"})
    assert any("no live session has this code" in e.value for e in student.error)
    assert "room" not in student.query_params and not following(student)
    assert live_session.FOLLOW_KEY not in student.session_state


def test_an_ended_session_lets_the_student_keep_the_view(store_url):
    store = open_rooms(store_url)
    room = store.open_room()
    store.lead(room.code, room.pin, {"page": "convolution", "params": {"stride": "3"}}, session_id="lecturer")
    student = app({"room": room.code})
    store.end_room(room.code, room.pin, session_id="lecturer")
    student.run()
    assert any("has ended" in e.value for e in student.error)
    assert student.slider(key="conv_stride").value == 3 and not following(student)


def test_after_a_reload_the_lecturer_leads_again_with_the_pin_only(store_url):
    store = open_rooms(store_url)
    room = store.open_room()
    again = app({"lecture": "1"})
    again.sidebar.text_input(key=live_session.CODE_INPUT_KEY).input(room.code)
    again.sidebar.text_input(key=live_session.PIN_INPUT_KEY).input(
        "00000000" if room.pin != "00000000" else "11111111"
    )
    again.sidebar.button(key="live_relead").click().run()
    assert any("wrong lead PIN" in e.value for e in again.error)
    assert live_session.LEAD_KEY not in again.session_state
    assert again.sidebar.text_input(key=live_session.PIN_INPUT_KEY).value == ""  # a typed PIN is not kept

    again.sidebar.text_input(key=live_session.PIN_INPUT_KEY).input(room.pin)
    again.sidebar.button(key="live_relead").click().run()
    assert again.session_state[live_session.LEAD_KEY]["code"] == room.code
    assert live_session.PIN_INPUT_KEY not in [w.key for w in again.sidebar.text_input]  # leading: no inputs
    assert room.pin not in shown_text(again)
    again.switch_page("pages/pooling.py").run()
    assert store.view(room.code).page == "pooling"


def test_wrong_pins_are_limited_per_browser_session(store_url):
    store = open_rooms(store_url)
    room = store.open_room()
    wrong = "00000000" if room.pin != "00000000" else "11111111"
    guesser = app({"lecture": "1"})
    messages = []
    for _ in range(6):
        guesser.sidebar.text_input(key=live_session.CODE_INPUT_KEY).input(room.code)
        guesser.sidebar.text_input(key=live_session.PIN_INPUT_KEY).input(wrong)
        guesser.sidebar.button(key="live_relead").click().run()
        messages.append(" ".join(e.value for e in guesser.error))
    assert all("wrong lead PIN" in m for m in messages[:5])
    assert "too many wrong PINs from this browser" in messages[5]  # the store's limit, this session only
    guesser.sidebar.text_input(key=live_session.PIN_INPUT_KEY).input(room.pin)
    guesser.sidebar.button(key="live_relead").click().run()
    assert live_session.LEAD_KEY not in guesser.session_state  # even the right PIN, until the window ends
    other = app({"lecture": "1"})  # another browser session is not limited
    other.sidebar.text_input(key=live_session.CODE_INPUT_KEY).input(room.code)
    other.sidebar.text_input(key=live_session.PIN_INPUT_KEY).input(room.pin)
    other.sidebar.button(key="live_relead").click().run()
    assert other.session_state[live_session.LEAD_KEY]["code"] == room.code


def photo_entry(name: str, height: int, width: int, seed: int) -> dict:
    """What the session keeps of an uploaded photo (image_input.upload_entry of a PNG file)."""
    import io

    import numpy as np
    from PIL import Image

    from core.adapters import image_input

    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, format="PNG")
    return image_input.upload_entry(name, png.getvalue(), file_id=f"test-{seed}")


def test_the_lecturers_own_photo_and_points_reach_a_follower(store_url):
    import numpy as np
    import pandas as pd

    from core.adapters import image_input, live_examples

    lecturer, code, _ = start_session(store_url)
    lecturer.session_state[image_input.SHARED_IMAGE_KEY] = photo_entry("cat.png", 48, 64, seed=1)
    lecturer.switch_page("pages/convolution.py").run()
    lecturer.radio(key="conv_src").set_value("Your photo").run()
    assert open_rooms(store_url).view(code).payload["kind"] == "application/json"

    student = app({"room": code})  # another session on the same store: as another worker
    assert following(student) and student.radio(key="conv_src").value == "Your photo"
    theirs = student.session_state[image_input.SHARED_IMAGE_KEY]
    mine = lecturer.session_state[image_input.SHARED_IMAGE_KEY]
    assert np.array_equal(theirs["pixels"], mine["pixels"])  # a small photo travels as PNG: exact
    assert "Your photo: the lecturer's cat.png (64×48)" in [c.value for c in student.caption]

    lecturer.session_state[image_input.SHARED_IMAGE_KEY] = photo_entry("dog.png", 40, 30, seed=2)
    lecturer.run()  # a new photo on the same view: the follower's next check fetches it
    student.run()
    assert student.session_state[image_input.SHARED_IMAGE_KEY]["pixels"].shape == (40, 30, 3)

    lecturer.switch_page("pages/perceptron.py").run()
    lecturer.selectbox(key="perc_data").set_value("your points").run()
    points = pd.DataFrame({"x1": [0.0, 1.0, 2.5, 3.0], "x2": [1.0, 2.0, 0.5, -1.0], "class": [1, 1, 0, 0]})
    lecturer.session_state[live_examples.POINTS_KEY] = points
    lecturer.session_state[live_examples.POINTS_VERSION_KEY] += 1
    lecturer.run()
    student.run()
    assert student.selectbox(key="perc_data").value == "your points"
    got = student.session_state[live_examples.POINTS_NOW_KEY]
    assert got[["x1", "x2", "class"]].to_numpy().tolist() == points.to_numpy().tolist()

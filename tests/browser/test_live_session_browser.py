"""A live session in a real Chromium: the lecturer on a projector-sized laptop starts it (the PIN in a
dialog, once), a student on a phone viewport joins by the link and follows the lecturer to another page
and to a changed slider. The server has its own temporary room store. Screenshots go to
``artifacts/live_*.png``."""

from __future__ import annotations

import re
import time

import pytest

from deploy.local.streamlit_server import running
from tests.browser.conftest import ARTIFACTS, wait_idle
from tests.browser.live import close_pin_dialog, lecturer_and_phone, open_start_dialog
from tests.browser.server import ROOT, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The follower's browser asks the room's version every second; a page change also reruns the page
#: (and loads it on a fresh server).
FOLLOW_WITHIN_MS = 30_000


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    env = {
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "NEURAL_EXPLAINER_CACHE": str(folder / "cache"),
        "NEURAL_EXPLAINER_QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite'}",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with running(ROOT / "app.py", port=free_port(), env=env, log=ARTIFACTS / "streamlit-live.log") as url:
        yield url


def test_a_phone_follows_the_lecturer_to_another_page_and_a_changed_slider(live_server, chromium):
    with lecturer_and_phone(chromium) as (lecturer, student):
        dialog = open_start_dialog(lecturer, f"{live_server}/?lecture=1")
        dialog.get_by_text("lead PIN").wait_for()
        pin = re.search(r"\b(\d{4}) (\d{4})\b", dialog.inner_text())
        assert pin, dialog.inner_text()
        lecturer.screenshot(path=str(ARTIFACTS / "live_pin_dialog.png"))
        code = close_pin_dialog(lecturer, dialog)
        assert pin.group(1) + " " + pin.group(2) not in lecturer.content() and "room=" not in lecturer.url
        wait_idle(lecturer)
        lecturer.screenshot(path=str(ARTIFACTS / "live_projector_join.png"))

        polls = []  # the phone's browser waits for a change on the room's version route
        student.on(
            "response",
            lambda r: polls.append(r.status) if re.search(r"/api/live/[A-Z0-9]+(\?|$)", r.url) else None,
        )
        student.goto(f"{live_server}/?room={code}")
        student.get_by_text("Following the lecturer").wait_for()
        lecturer.locator('[data-testid="stMetricValue"]', has_text=re.compile(r"^1$")).wait_for(
            timeout=FOLLOW_WITHIN_MS
        )  # the projector counts one follower

        lecturer.locator('[data-testid="stSidebarNav"]').get_by_text("Convolution and kernels").click()
        lecturer.wait_for_url(re.compile(r"/convolution\?"))
        wait_idle(lecturer)
        started = time.monotonic()
        student.wait_for_url(re.compile(r"/convolution\?.*room="), timeout=FOLLOW_WITHIN_MS)
        wait_idle(student, 500)
        page_lag = time.monotonic() - started

        slider = lecturer.get_by_role("slider", name="Stride")
        slider.focus()
        lecturer.keyboard.press("ArrowRight")
        lecturer.wait_for_url(re.compile(r"stride=2"))
        started = time.monotonic()
        student.wait_for_url(re.compile(r"stride=2"), timeout=FOLLOW_WITHIN_MS)
        wait_idle(student, 500)
        slider_lag = time.monotonic() - started
        shown = student.get_by_role("slider", name="Stride").evaluate(
            "e => e.value ?? e.getAttribute('aria-valuenow')"
        )
        assert str(shown) == "2"
        student.screenshot(path=str(ARTIFACTS / "live_phone_following.png"), full_page=False)
        assert polls and set(polls) == {200}, polls  # followed through the version route, no fallback
        print(f"page change reached the phone in {page_lag:.1f} s, the slider in {slider_lag:.1f} s")

        student.get_by_role("button", name="Explore on my own").click()
        student.get_by_role("button", name="Back to the lecturer").wait_for()
        assert "room=" not in student.url

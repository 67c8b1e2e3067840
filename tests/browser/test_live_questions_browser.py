"""Predict, then reveal in a real Chromium: the lecturer (projector-sized laptop) starts a live session,
opens Convolution and asks its question; a student on a phone viewport who joined by the link answers;
the projector's histogram counts the answer; Reveal shows the app's value on both screens. Screenshots
go to ``artifacts/live_question_*.png``."""

from __future__ import annotations

import re

import pytest

from tests.browser import test_live_session_browser
from tests.browser.conftest import ARTIFACTS, wait_idle
from tests.browser.live import close_pin_dialog, lecturer_and_phone, open_start_dialog
from tests.browser.test_live_session_browser import FOLLOW_WITHIN_MS

live_server = test_live_session_browser.live_server  # its server with a temporary room store

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_phone_answers_and_the_projector_reveals(live_server, chromium):
    with lecturer_and_phone(chromium) as (lecturer, student):
        dialog = open_start_dialog(lecturer, f"{live_server}/convolution?lecture=1&stride=2")
        code = close_pin_dialog(lecturer, dialog)

        student.goto(f"{live_server}/?room={code}")
        student.wait_for_url(re.compile(r"/convolution\?.*stride=2"), timeout=FOLLOW_WITHIN_MS)

        wait_idle(lecturer)  # "Ask the class" is open while no question is
        lecturer.get_by_role("button", name="Ask about this view").click()
        lecturer.get_by_text("how many pixels wide is the feature map?").first.wait_for()

        student.get_by_text("how many pixels wide is the feature map?").wait_for(timeout=FOLLOW_WITHIN_MS)
        answer_box = student.get_by_label("Your answer")
        answer_box.fill("254")
        answer_box.press("Enter")
        wait_idle(student, 500)
        student.get_by_role("button", name="Send my answer").click()
        student.get_by_text("Your answer 254").wait_for()
        student.screenshot(path=str(ARTIFACTS / "live_question_phone.png"), full_page=False)

        answers = lecturer.locator('[data-testid="stMetric"]', has_text="Answers")
        answers.locator('[data-testid="stMetricValue"]', has_text=re.compile(r"^1$")).wait_for(
            timeout=FOLLOW_WITHIN_MS
        )
        lecturer.screenshot(path=str(ARTIFACTS / "live_question_projector.png"))
        lecturer.get_by_role("button", name="Reveal").click()
        revealed = lecturer.locator('[data-testid="stMetric"]', has_text="The app's answer")
        revealed.locator('[data-testid="stMetricValue"]', has_text=re.compile(r"^255$")).wait_for()
        lecturer.screenshot(path=str(ARTIFACTS / "live_question_revealed.png"))
        student.get_by_text(re.compile(r"The app's answer: 255")).wait_for(timeout=FOLLOW_WITHIN_MS)
        student.screenshot(path=str(ARTIFACTS / "live_question_phone_revealed.png"), full_page=False)

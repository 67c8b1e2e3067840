"""A live session in a real Chromium, shared by the live-session browser tests: a lecturer on a
projector and a student on a phone, each in a browser context of its own, and the lecturer's steps to
start a session (the lead PIN in a dialog, then the room's code on the projector)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from tests.browser.conftest import wait_idle
from tests.browser.views import PHONE, PROJECTOR

#: The code the projector shows once a session is started: "Join: ABC123".
JOIN_HEADING = re.compile(r"^Join: [A-Z0-9]{6}$")


@contextmanager
def lecturer_and_phone(chromium, timeout_ms: int = 90_000) -> Iterator[tuple]:
    """(lecturer, student): a projector-sized page and a phone's page, both closed on exit."""
    lecturer_ctx = chromium.new_context(**PROJECTOR)
    student_ctx = chromium.new_context(**PHONE)
    try:
        lecturer, student = lecturer_ctx.new_page(), student_ctx.new_page()
        lecturer.set_default_timeout(timeout_ms)
        student.set_default_timeout(timeout_ms)
        yield lecturer, student
    finally:
        lecturer_ctx.close()
        student_ctx.close()


def open_start_dialog(lecturer, address: str):
    """Open ``address`` on the lecturer's page and press "Start a live session" in the sidebar;
    returns the dialog that shows the lead PIN."""
    lecturer.goto(address)
    wait_idle(lecturer)
    lecturer.locator('[data-testid="stExpandSidebarButton"]').click()
    lecturer.get_by_role("button", name="Start a live session").click()
    return lecturer.get_by_role("dialog")


def close_pin_dialog(lecturer, dialog) -> str:
    """Confirm the PIN was noted and wait for the dialog to close; returns the room's code that the
    projector shows."""
    dialog.get_by_role("button", name="I have noted the PIN").click()
    dialog.wait_for(state="detached")
    return lecturer.get_by_text(JOIN_HEADING).inner_text().split(": ")[1]

"""The browser tests' screens, as keyword arguments of ``browser.new_context``: the students' phone
(390×844, touch), a laptop (1366×768) and the lecturer's projector (1920×1080)."""

from __future__ import annotations

__all__ = ["LAPTOP", "PHONE", "PROJECTOR", "VIEWS"]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
#: The two screens whose first screen ``tests/browser/first_screen.py`` measures.
VIEWS = {"laptop": LAPTOP, "phone": PHONE}

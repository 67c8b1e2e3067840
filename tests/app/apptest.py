"""Opening a page in AppTest as every page test does: ``app.py`` first (the frame, the navigation),
then a switch to the page, as a browser session would."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(script: str, *, query: dict | None = None, timeout: float = 120) -> AppTest:
    """An AppTest of ``pages/<script>.py`` inside ``app.py``, with ``query`` as URL parameters.

    Fails the test if the page raises (its first view must always render).
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    if query:
        at.query_params.update({k: str(v) for k, v in query.items()})
    at.run()
    at.switch_page(f"pages/{script}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at

"""AppTest set-up shared by the page tests.

AppTest resets Streamlit's legacy ``pages/``-folder routing before every run, as if each run were the
first visit to a fresh server: a page's run then starts outside ``app.py``, and
``ui.require_app_frame`` starts it again inside ``app.py``'s frame, exactly as a deep link's first
visit does on a real server. Pages therefore act on clicks in callbacks (``on_click``), which run
before that restart, never on a button's one-run return value.
"""
import pytest


@pytest.fixture
def isolated_model_cache(tmp_path, monkeypatch):
    """Never touch the user's model cache: everything must come from the shipped weights."""
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))

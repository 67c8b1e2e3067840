"""AppTest set-up shared by the page tests.

AppTest resets Streamlit's legacy ``pages/``-folder routing flag before every run, as if each run
were the first visit to a fresh server: the page script then runs once on its own, and
``ui.require_app_frame`` reruns it inside ``app.py`` — losing a button's one-run trigger. Real
servers do this only on the very first visit (covered by the browser tests), so here the flag is
switched off right after AppTest sets it, as on a server that has served its first page.
"""
import pytest
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture(autouse=True)
def served_server_routing(monkeypatch):
    original_init = PagesManager.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    yield


@pytest.fixture
def isolated_model_cache(tmp_path, monkeypatch):
    """Never touch the user's model cache: everything must come from the shipped weights."""
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))

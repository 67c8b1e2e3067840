"""Opening a page in AppTest as every page test does: ``app.py`` first (the frame, the navigation),
then a switch to the page, as a browser session would; the ``page`` fixture that does it for each test,
the marks of a page test that loads trained models, and the shipped models those tests compare with."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def page_fixture(script: str, **kwargs):
    """A fixture named ``page``: a fresh :func:`open_page` of ``script`` for each test.

    In a test module: ``page = page_fixture("pooling")``.
    """

    def page() -> AppTest:
        return open_page(script, **kwargs)

    return pytest.fixture(name="page")(page)


#: ``pytestmark`` of a page test module that loads trained models: slow (it imports TensorFlow), and the
#: models come from the shipped weights, never from the user's model cache.
MODEL_PAGE_MARKS = [pytest.mark.slow, pytest.mark.usefixtures("isolated_model_cache")]


def shipped(name: str):
    """The shipped model ``name`` as the pages load it (``.model``, ``.manifest``), trained never."""
    from core.models.registry import shipped_configs
    from core.training import store as model_store

    return model_store.get_or_train(shipped_configs()[name], data_loader=None)

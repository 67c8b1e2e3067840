"""AppTest set-up shared by the page tests.

AppTest resets Streamlit's legacy ``pages/``-folder routing before every run, as if each run were the
first visit to a fresh server: a page's run then starts outside ``app.py``, and
``streamlit_patches.require_app_frame`` starts it again inside ``app.py``'s frame, exactly as a deep
link's first visit does on a real server. Pages therefore act on clicks in callbacks (``on_click``), which run
before that restart, never on a button's one-run return value.
"""

import pytest


@pytest.fixture
def isolated_model_cache(tmp_path, monkeypatch):
    """Never touch the user's model cache: everything must come from the shipped weights."""
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def offline_keras(isolated_model_cache, tmp_path, monkeypatch):
    """``isolated_model_cache``, an empty ``KERAS_HOME`` (no ImageNet weights) and MNIST's download refused,
    so the page falls back to the bundled MNIST subset, as on a machine with no network."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    import keras

    def offline(*args, **kwargs):
        raise OSError("offline")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)

"""Load TensorFlow, the digits and the shipped models in the background when the server starts,
so that the students after the first do not wait for them. Everything comes from disk (shipped
files, the operator's MNIST, Keras' cache): the warm-up downloads nothing."""

from __future__ import annotations

import importlib
import logging
import os
import threading

from core.adapters import heap

_LOG = logging.getLogger(__name__)

#: Set to "0" to skip loading TensorFlow and the shipped models when the server starts.
WARMUP_ENV = "NEURAL_EXPLAINER_WARMUP"

_warmup_guard = threading.Lock()
_warmup_thread: threading.Thread | None = None
_tensorflow_lock = threading.Lock()


def import_tensorflow() -> None:
    """Import Keras and TensorFlow (in that order, as the model modules do) under one lock: the
    warm-up thread and a student's first run may both get here, and TensorFlow's import is not safe
    to run in two threads at once. Cheap once imported."""
    with _tensorflow_lock:
        for name in ("keras", "tensorflow"):
            importlib.import_module(name)


def _warmup_plan() -> dict[str, tuple]:
    """What each model page loads first, in the order it needs it (url path -> loaders)."""
    from core.adapters.cached import autoencoder, digit_models, gan, generative

    return {
        "cnn_activations": (digit_models.mnist, lambda: digit_models.shipped_digit_model("mnist_cnn")),
        "autoencoder": (
            generative.digits,
            lambda: generative.generative_model("ae2d"),
            lambda: autoencoder.test_codes("ae2d"),
            autoencoder.pca_basis,
            autoencoder.preset_table,
        ),
        "gan": (
            generative.digits,
            lambda: generative.generative_model("dcgan"),
            gan.real_nearest_distance,
            gan.course_dcgan_tables,
        ),
    }


def start_warmup(first_page: str = "") -> threading.Thread | None:
    """Load TensorFlow, the digits and the shipped models in a background thread, once per server
    process (``app.py`` calls this on every run; only the first call starts the thread), so that
    the students after the first do not wait for them. The models of ``first_page`` (the url path
    the first visitor asked for) load first. Ends with a heap freeze (:mod:`core.adapters.heap`).

    Returns
    -------
    threading.Thread or None
        The warm-up thread; None when ``NEURAL_EXPLAINER_WARMUP=0``.
    """
    global _warmup_thread
    if os.environ.get(WARMUP_ENV, "1") == "0":
        return None
    with _warmup_guard:
        if _warmup_thread is None:
            # Libraries that Plotly and Streamlit detect through ``sys.modules`` are imported here,
            # before the thread starts: a student's run must never find them half-initialised.
            for name in ("pandas", "pyarrow"):
                importlib.import_module(name)

            plan = _warmup_plan()
            loaders = [
                *plan.get(first_page, ()),
                *(f for page, fs in plan.items() if page != first_page for f in fs),
            ]
            _warmup_thread = threading.Thread(
                target=_warm_up, args=(loaders,), name="neural-explainer-warmup", daemon=True
            )
            _warmup_thread.start()
        return _warmup_thread


def _warm_up(loaders) -> None:
    try:
        import_tensorflow()
    except Exception:  # noqa: BLE001 - the pages say why when they need it
        _LOG.exception("warm-up: TensorFlow could not be imported")
        return
    for load in loaders:
        try:
            load()
        except Exception:  # noqa: BLE001 - a page that needs it will load it again and say why
            _LOG.exception("warm-up: a model could not be loaded")
    heap.freeze_if_needed()

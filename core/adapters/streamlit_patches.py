"""The app's two guarded workarounds of Streamlit internals (Streamlit 1.53–1.67).

- :func:`keep_keras_state_between_runs`: Streamlit clears Keras' session after every script run;
  the app keeps its models' state.
- :func:`require_app_frame`: a deep link's first run on a fresh server is routed by the ``pages/``
  folder, without ``app.py``; the page starts again inside the app's frame.

Both rely on private Streamlit names; ``tests/test_structure.py`` fails first when a release moves
them, and checks that only :func:`require_app_frame` touches the page routing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st


def keep_keras_state_between_runs() -> bool:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run.

    Streamlit's ``ScriptRunner`` "cleans problem modules" after each run: whenever ``keras`` is
    imported it calls ``clear_session()``, which empties TensorFlow's eager kernel cache (the
    next run's first model call then takes 4–5× longer: the DCGAN's generator on 64 samples
    82 ms instead of 17 ms) and runs a garbage collection. This app builds its models once, in
    shared caches, and never relies on Keras' per-thread global state, so the clean-up only costs
    time. The replacement keeps Streamlit's other clean-up (closing matplotlib figures).

    This replaces a private Streamlit function (``streamlit.runtime.scriptrunner.script_runner.
    _clean_problem_modules``, Streamlit 1.53–1.67); ``tests/test_structure.py`` fails if a
    Streamlit release moves it. Idempotent; ``app.py`` calls it on every run.

    Returns
    -------
    bool
        Whether this call installed the replacement (False: already installed, or Streamlit no
        longer has the function).
    """
    from streamlit.runtime.scriptrunner import script_runner

    current = getattr(script_runner, "_clean_problem_modules", None)
    if current is None or current is _clean_problem_modules_but_keras:
        return False
    script_runner._clean_problem_modules = _clean_problem_modules_but_keras
    return True


def _clean_problem_modules_but_keras() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close("all")
        except Exception:  # noqa: BLE001 - as Streamlit's own clean-up: never fail a run here
            pass


def require_app_frame() -> None:
    """Make sure the page runs inside ``app.py``'s frame; call it first in every page script.

    Until some session has called ``st.navigation``, Streamlit treats the app as a legacy
    ``pages/``-folder app (documented: "As soon as any session of your app executes the
    st.navigation command, your app will ignore the pages/ directory (across all sessions)").
    So on a fresh server, the first run of a deep link (``/cnn_activations``) executes the page
    script directly, with a navigation of file names ("app", "cnn activations", ...) and without
    ``app.py``. Streamlit offers no setting for this while the folder is named ``pages/``; this
    function is the app's one workaround. A run routed that way registers the entry script itself
    as one of its pages; then the legacy routing is switched off for the whole server (the class
    flag ``PagesManager.uses_pages_directory``, which ``st.navigation`` itself clears) and the run
    starts again, through ``app.py``'s ``st.navigation`` and on the same URL. In every other run
    (``app.py`` routed it, or the page runs alone as ``streamlit run pages/x.py``) this is a no-op.

    The new start drops what a widget reports for one run only (``st.button``'s True), so pages act
    on clicks in callbacks (``on_click``), which run before the page. AppTest routes every run of a
    page this way (it resets the flag before each run), so the page tests cover this path.

    It relies on Streamlit internals (1.67): ``tests/test_structure.py`` fails when they change.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not PagesManager.uses_pages_directory:
        return  # once any session ran st.navigation, no run is routed by the folder (AppTest resets it)
    entry = Path(ctx.main_script_path).resolve()
    routed_by_folder = any(
        "url_pathname" in info and info.get("script_path") and Path(info["script_path"]).resolve() == entry
        for info in ctx.pages_manager.get_pages().values()
    )
    if routed_by_folder:
        PagesManager.uses_pages_directory = False
        st.rerun()

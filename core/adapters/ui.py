"""The Streamlit adapter: page frame, lecture mode, URL state and widgets shared by pages.

Only the modules of ``core.adapters`` import Streamlit (``tests/test_structure.py``).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core.adapters.errors import error_boundary, guarded  # noqa: F401 - pages guard fragments and callbacks as ui.guarded
from core.adapters.url_state import UrlParam, seed
from core.figures.projector import projector_layout

APP_TITLE = "Neural Explainer"
LECTURE_KEY = "lecture_mode"  # plain session value: survives page switches
LECTURE_TOGGLE_KEY = "lecture_toggle"  # the sidebar widget that sets it
LECTURE_SEED = 0

#: The page icon (browser tab): a local file, so no page load asks a font server for it.
PAGE_ICON = Path(__file__).resolve().parents[2] / "assets" / "icon.svg"
#: Lecture mode's root font size. Streamlit sizes its text in rem (captions, widget values, tables:
#: 0.875 rem; metric values 2.25 rem), so 23 px makes the smallest of them 20.1 CSS px.
LECTURE_ROOT_PX = 23

#: Every view. Captions at a readable contrast. On touch screens and phones: Plotly's toolbar (always
#: shown where there is no hover) would cover chart titles, and long code lines and formulas wrap
#: instead of scrolling sideways.
_BASE_CSS = """
<style>
/* Captions carry colour keys, "click a pixel ..." and sources: Streamlit draws them at 60 % opacity
   (3.9:1 on white); here opaque grey #5c5a57 (6.9:1), code inside them in the caption's colour
   (WCAG AA asks 4.5:1). */
[data-testid="stMain"] [data-testid="stCaptionContainer"] { opacity: 1; color: #5c5a57; }
/* The page's point on its first screen: Streamlit leaves 6rem above the title; the header is 3.75rem. */
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] code { color: inherit; }
@media (hover: none), (max-width: 640px) {
  [data-testid="stPlotlyChart"] .modebar-container { display: none !important; }
  [data-testid="stCode"] pre, [data-testid="stCode"] code, [data-testid="stCode"] span {
    white-space: pre-wrap !important; overflow-wrap: anywhere; }
  [data-testid="stMain"] .katex-display > .katex > .katex-html { white-space: normal; }
  [data-testid="stMain"] .katex-display .base { margin: 0.15em 0; }
}
</style>
"""

#: Lecture mode (projector, 1920 × 1080, read from the back row): no text in the main area under
#: 20 CSS px, metric values as large as elsewhere or larger, no empty header band (the sidebar
#: button stays), figures' own fonts raised by :func:`core.figures.projector.projector_layout`.
_LECTURE_CSS = f"""
<style>
html {{ font-size: {LECTURE_ROOT_PX}px; }}
[data-testid="stHeader"] {{ background: transparent; height: 0; min-height: 0; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 1.25rem; }}
[data-testid="stMain"] code {{ font-size: max(20px, 0.875em); }}
[data-testid="stMain"] table.lecture-table {{
  font-size: 1rem; border-collapse: collapse; margin-bottom: 1rem; }}
[data-testid="stMain"] table.lecture-table th, [data-testid="stMain"] table.lecture-table td {{
  padding: 0.2rem 0.8rem; border-bottom: 1px solid #ddd; text-align: right; }}
[data-testid="stMain"] small, [data-testid="stMain"] sub, [data-testid="stMain"] sup {{
  font-size: max(20px, 0.75em); }}
</style>
"""


# --- frame ---------------------------------------------------------------------------------------


def page_setup() -> bool:
    """Configure the page and draw the shared sidebar; called once per run by ``app.py``.

    Returns
    -------
    bool
        Whether lecture mode is on.
    """
    first_run = LECTURE_KEY not in st.session_state
    seed((UrlParam("lecture", LECTURE_KEY, False, kind=bool),))  # written below: only while it is on
    st.set_page_config(
        page_title=APP_TITLE,
        page_icon=str(PAGE_ICON),
        layout="wide",
        initial_sidebar_state=_sidebar_state(first_run),
    )
    st.html(_BASE_CSS)
    with st.sidebar:
        # A widget's state is tied to the page it is drawn on, so the toggle mirrors a plain
        # session value that every page shares.
        st.toggle(
            "Lecture mode",
            value=is_lecture(),
            key=LECTURE_TOGGLE_KEY,
            on_change=_copy_lecture_toggle,
            help="Projector-size text and figures, fewer controls, fixed random seeds.",
        )
        st.caption(
            "Neural Explainer shows what the building blocks of neural networks compute, "
            "with the real numbers behind every picture. It runs offline: sample images, "
            "data and trained weights ship with the app."
        )
    if is_lecture():
        st.html(_LECTURE_CSS)
        st.query_params["lecture"] = "1"
    elif "lecture" in st.query_params:
        del st.query_params["lecture"]
    return is_lecture()


def _sidebar_state(first_run: bool) -> str | None:
    """A lecture link (``?lecture=1``) opens with the sidebar closed: the figure gets the projector's
    width, and the lecturer opens the sidebar to switch page or mode (it then stays open). Lecture
    mode switched on from the sidebar leaves it as it is (None: unchanged), so the next click there
    still works; leaving lecture mode brings back Streamlit's default (open on wide screens)."""
    if not is_lecture():
        return "auto"
    return "collapsed" if first_run else None


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
    if ctx is None:
        return
    entry = Path(ctx.main_script_path).resolve()
    routed_by_folder = any(
        "url_pathname" in info and info.get("script_path") and Path(info["script_path"]).resolve() == entry
        for info in ctx.pages_manager.get_pages().values()
    )
    if routed_by_folder:
        PagesManager.uses_pages_directory = False
        st.rerun()


@guarded
def _copy_lecture_toggle() -> None:
    st.session_state[LECTURE_KEY] = bool(st.session_state[LECTURE_TOGGLE_KEY])


@contextlib.contextmanager
def loading_models():
    """``st.spinner`` for a model page's first run: the title is already on screen, and this says
    what the few seconds are for (TensorFlow's import and the trained models, once per server).
    TensorFlow itself is imported first, under the lock the background warm-up also takes
    (:func:`core.adapters.cached.warmup.import_tensorflow`): two threads importing it at the same
    moment fail ("Registering two gradient with name ...")."""
    from core.adapters.cached.warmup import import_tensorflow

    with st.spinner(
        "Loading TensorFlow and the trained models (the first visit after the server "
        "starts takes a few seconds) ...",
        show_time=True,
    ):
        import_tensorflow()
        yield


def is_lecture() -> bool:
    """Whether lecture (projector) mode is on in this session."""
    return bool(st.session_state.get(LECTURE_KEY, False))


def session_seed(default: int = 0) -> int:
    """The random seed a page should use: fixed in lecture mode."""
    return LECTURE_SEED if is_lecture() else default


def _styled_spec(fig, height: int | None) -> dict:
    """A copy of ``fig`` as a dict with lecture-mode sizes (bigger fonts and figures) or ``height``.

    Figures may be shared by every session (built once and cached), so the figure itself is
    never changed.
    """
    spec = fig.to_dict() if hasattr(fig, "to_dict") else copy.deepcopy(fig)
    if is_lecture():  # every font of the figure's own layout, not only CSS: per-axis fonts win over CSS
        return projector_layout(spec, height=height)
    layout = spec.setdefault("layout", {})
    if height:
        layout["height"] = height
    return spec


def style_figure(fig, *, height: int | None = None):
    """A lecture-styled copy of a Plotly figure (``fig`` itself is left as it is)."""
    return go.Figure(_styled_spec(fig, height), _validate=False)


def show_table(data, *, hide_index: bool = False, **dataframe_options) -> None:
    """Show a table: ``st.dataframe`` (sortable, scrollable) outside lecture mode; in lecture mode a
    plain HTML table whose text follows the lecture font (at least 20 px).

    Why: the data frame draws on a canvas with a font it computes once, when it mounts, from the root
    font size at that moment; when it mounts in the same render as the lecture style, it keeps
    Streamlit's 14 px for good. An HTML table follows the lecture CSS whenever it applies.

    Parameters
    ----------
    data : pandas.DataFrame, dict of columns or list of row dicts
        What ``st.dataframe`` accepts.
    hide_index : bool, optional
        Leave the row index out (a default ``RangeIndex`` is always left out in lecture mode).
    **dataframe_options
        Passed to ``st.dataframe`` outside lecture mode (``width=``, ``column_config=`` ...).
    """
    if not is_lecture():
        st.dataframe(data, hide_index=hide_index, **dataframe_options)
        return
    import pandas as pd

    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    index = not hide_index and not isinstance(frame.index, pd.RangeIndex)
    st.html(frame.to_html(index=index, border=0, classes="lecture-table", escape=True, na_rep=""))


def show_figure(
    fig,
    *,
    key: str | None = None,
    on_select: Any = "ignore",
    selection_mode=("points",),
    height: int | None = None,
):
    """``st.plotly_chart`` of a styled copy of ``fig`` (lecture sizes), with a PNG download in the
    toolbar. ``fig`` is not changed, so a cached figure can be shown to every session."""
    if is_lecture() or height:
        fig = style_figure(fig, height=height)  # a copy; Streamlit serialises ``fig`` as it is
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
    if on_select == "ignore":
        return st.plotly_chart(fig, key=key, config=config)
    return st.plotly_chart(fig, key=key, on_select=on_select, selection_mode=selection_mode, config=config)


def show_source(*functions: Callable | str) -> None:
    """An expander with the source code of the core functions behind a page.

    Pages import only ``core.adapters``, ``core.figures``, ``core.maths`` and ``core.data``; a
    function of ``core.models`` or ``core.training`` is named ``"core.models.hed:preprocess"``
    (module, colon, qualified name such as ``"DCGAN.train_step"``) and imported here.
    """
    import importlib

    with st.expander("Show the code that computes this"):
        for fn in functions:
            if isinstance(fn, str):
                module, _, qualname = fn.partition(":")
                fn = importlib.import_module(module)
                for part in qualname.split("."):
                    fn = getattr(fn, part)
            st.code(inspect.getsource(fn), language="python")


# --- URL state -----------------------------------------------------------------------------------

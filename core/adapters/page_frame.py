"""The page frame every page runs in: ``app.py`` calls :func:`page_setup` once per run (page config,
the base style sheet, the sidebar with the lecture-mode toggle); every page script begins with
:func:`start` and ends with :func:`finish` (the code behind the page and its sources); model pages wrap
their first TensorFlow use in :func:`loading_models`.

Lecture mode's state and style live in :mod:`core.adapters.lecture_mode`; the workaround that puts a deep
link's first run inside this frame is :func:`core.adapters.streamlit_patches.require_app_frame`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import streamlit as st

from core.adapters import source_code, streamlit_patches
from core.adapters.errors import guarded
from core.adapters.lecture_mode import LECTURE_CSS, LECTURE_KEY, LECTURE_TOGGLE_KEY, is_lecture
from core.adapters.sources import sources_panel
from core.adapters.url_state import UrlParam, seed

APP_TITLE = "Neural Explainer"

#: The page icon (browser tab): a local file, so no page load asks a font server for it.
PAGE_ICON = Path(__file__).resolve().parents[2] / "assets" / "icon.svg"

#: Every view. Captions at a readable contrast. On touch screens and phones: Plotly's toolbar (always
#: shown where there is no hover) would cover chart titles, and long code lines and formulas wrap
#: instead of scrolling sideways.
BASE_CSS = """
<style>
/* Captions carry colour keys, "click a pixel ..." and sources: Streamlit draws them at 60 % opacity
   (3.9:1 on white); here opaque grey #5c5a57 (6.9:1), code inside them in the caption's colour
   (WCAG AA asks 4.5:1). */
[data-testid="stMain"] [data-testid="stCaptionContainer"] { opacity: 1; color: #5c5a57; }
/* The page's point on its first screen: Streamlit leaves 6rem above the title; the header is 3.75rem. */
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] code { color: inherit; }
/* Plotly's toolbar (8 buttons per chart) is never a Tab stop between a chart and the next control:
   it is shown, as Plotly does anyway, only while the pointer is over the chart, and a hidden
   button takes no keyboard focus. */
[data-testid="stPlotlyChart"] .modebar-container { visibility: hidden; }
[data-testid="stPlotlyChart"]:hover .modebar-container { visibility: visible; }
/* A page's sections are h2 headings under its h1 title (st.header: headings in order for screen
   readers), drawn at the size of Streamlit's subheader (1.75rem, semi-bold), which they used to be.
   No angle brackets in this style sheet: st.html's sanitiser drops a style element whose text holds
   something that looks like a tag. */
[data-testid="stMain"] [data-testid="stHeading"] h2 { font-size: 1.75rem; font-weight: 600; }
@media (hover: none), (max-width: 640px) {
  [data-testid="stPlotlyChart"] .modebar-container { display: none !important; }
  [data-testid="stCode"] pre, [data-testid="stCode"] code, [data-testid="stCode"] span {
    white-space: pre-wrap !important; overflow-wrap: anywhere; }
  [data-testid="stMain"] .katex-display > .katex > .katex-html { white-space: normal; }
  [data-testid="stMain"] .katex-display .base { margin: 0.15em 0; }
}
</style>
"""


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
    st.html(BASE_CSS)
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
        st.html(LECTURE_CSS)
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


def start() -> None:
    """The first call of every page script: make sure the page runs inside ``app.py``'s frame.

    A deep link's first run on a fresh server runs the page script without ``app.py``; this starts it
    again inside the frame (:func:`core.adapters.streamlit_patches.require_app_frame`) and is a no-op
    in every other run.
    """
    streamlit_patches.require_app_frame()


def finish(
    *functions: Callable | str,
    course: Mapping[str, Iterable[str]] | Iterable[str] = (),
    references: Iterable[str] = (),
) -> None:
    """The end of every page: the expander "Show the code that computes this" with the source of
    ``functions`` (:func:`core.adapters.source_code.show_source`), then the "Sources" panel of the
    course documents and published references it cites (:func:`core.adapters.sources.sources_panel`).

    Parameters
    ----------
    *functions : callable or str
        The core functions behind the page; one of a layer the page does not import is named
        ``"core.models.hed:preprocess"`` (module, colon, qualified name).
    course : mapping of document key -> sections or headings, or iterable of document keys
        The course documents the page cites (keys of :data:`core.data.course.DOCUMENTS`).
    references : iterable of str
        Keys of :data:`core.data.course.REFERENCES`.

    Raises
    ------
    ValueError
        If a course key, section, heading or reference is unknown (see :func:`core.data.course.cite`).
    """
    source_code.show_source(*functions)
    sources_panel(course, references)


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

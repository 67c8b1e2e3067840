"""Names the pages used to find here, each now in its own module (one idea per module):

========================================  ==========================================================
:mod:`core.adapters.page_frame`           the frame ``app.py`` draws: page config, sidebar, spinner
:mod:`core.adapters.lecture_mode`         lecture mode: its session state, fixed seed and style
:mod:`core.adapters.streamlit_patches`    the two guarded workarounds of Streamlit internals
:mod:`core.adapters.display`              figures and tables on a page (lecture sizes, text alternatives)
:mod:`core.adapters.source_code`          the "Show the code that computes this" expander
:mod:`core.adapters.errors`               the error boundary and ``guarded`` callbacks
========================================  ==========================================================

New code imports those modules. This module only re-exports the names still written ``ui.<name>``
by ``pages/boolean_neurons.py``, ``training.py``, ``gan.py``, ``cnn_activations.py``,
``deep_features.py`` and ``core/adapters/live_session.py``, ``live_questions.py``; it computes
nothing, and goes once they import the modules above.
"""

from __future__ import annotations

from core.adapters.display import show_figure, show_table
from core.adapters.errors import guarded
from core.adapters.lecture_mode import LECTURE_KEY, is_lecture, session_seed
from core.adapters.page_frame import loading_models
from core.adapters.source_code import show_source
from core.adapters.streamlit_patches import require_app_frame

__all__ = [
    "LECTURE_KEY",
    "guarded",
    "is_lecture",
    "loading_models",
    "require_app_frame",
    "session_seed",
    "show_figure",
    "show_source",
    "show_table",
]

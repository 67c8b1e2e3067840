"""Names the pages used to find here, each now in its own module (one idea per module):

========================================  ==========================================================
:mod:`core.adapters.page_frame`           the frame ``app.py`` draws: page config, sidebar, spinner
:mod:`core.adapters.lecture_mode`              lecture mode: its session state, fixed seed and style
:mod:`core.adapters.streamlit_patches`    the two guarded workarounds of Streamlit internals
:mod:`core.adapters.display`              figures and tables on a page (lecture sizes, text alternatives)
:mod:`core.adapters.source_code`          the "Show the code that computes this" expander
:mod:`core.adapters.errors`               the error boundary and ``guarded`` callbacks
========================================  ==========================================================

New code imports those modules. This module only re-exports, for the pages and adapters that still
write ``ui.<name>`` (boolean_neurons, training, gan, cnn_activations, deep_features, live_session,
live_questions); it computes nothing and should disappear once they import the modules above.
"""

from __future__ import annotations

from core.adapters.display import show_figure, show_table, style_figure
from core.adapters.errors import error_boundary, guarded
from core.adapters.lecture_mode import LECTURE_KEY, LECTURE_TOGGLE_KEY, is_lecture, session_seed
from core.adapters.page_frame import loading_models
from core.adapters.source_code import show_source
from core.adapters.streamlit_patches import require_app_frame

__all__ = [
    "LECTURE_KEY",
    "LECTURE_TOGGLE_KEY",
    "error_boundary",
    "guarded",
    "is_lecture",
    "loading_models",
    "require_app_frame",
    "session_seed",
    "show_figure",
    "show_source",
    "show_table",
    "style_figure",
]

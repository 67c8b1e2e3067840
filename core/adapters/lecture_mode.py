"""Lecture mode (the projector at the front of a lecture hall): its session state, its fixed seed and
its style sheet.

The mode is a plain session value (:data:`LECTURE_KEY`), so it survives page switches; the sidebar
toggle that sets it is drawn by :func:`core.adapters.page_frame.page_setup`, which also applies
:data:`LECTURE_CSS`. Figures get their lecture fonts in their own layout
(:func:`core.figures.projector.projector_layout`, applied by :func:`core.adapters.display.show_figure`).
"""

from __future__ import annotations

import streamlit as st

LECTURE_KEY = "lecture_mode"  # plain session value: survives page switches
LECTURE_TOGGLE_KEY = "lecture_toggle"  # the sidebar widget that sets it
#: The random seed every page uses in lecture mode: the projector shows the figure the lecturer prepared.
LECTURE_SEED = 0

#: Lecture mode's root font size. Streamlit sizes its text in rem (captions, widget values, tables:
#: 0.875 rem; metric values 2.25 rem), so 23 px makes the smallest of them 20.1 CSS px.
LECTURE_ROOT_PX = 23

#: Lecture mode (projector, 1920 × 1080, read from the back row): no text in the main area under
#: 20 CSS px, metric values as large as elsewhere or larger, no empty header band (the sidebar
#: button stays), figures' own fonts raised by :func:`core.figures.projector.projector_layout`.
LECTURE_CSS = f"""
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


def is_lecture() -> bool:
    """Whether lecture (projector) mode is on in this session."""
    return bool(st.session_state.get(LECTURE_KEY, False))


def session_seed(default: int = 0) -> int:
    """The random seed a page should use: :data:`LECTURE_SEED` in lecture mode, else ``default``."""
    return LECTURE_SEED if is_lecture() else default

"""How to show values below 0 and above 255 (a feature map, a gradient) on an image: one selectbox,
mirrored in the URL as ``display``."""

from __future__ import annotations

import streamlit as st

from core.adapters import url_state
from core.figures.common import SIGNED_MODES


def signed_display_selector(key: str, *, default: str = "diverging") -> str:
    """How to show values below 0 and above 255; mirrored in the URL as ``display``."""
    url_state.sync((url_state.UrlParam("display", key, default, choices=SIGNED_MODES),))
    mode = st.selectbox(
        "Show signed output as",
        list(SIGNED_MODES),
        key=key,
        format_func=SIGNED_MODES.get,
        help="A feature map can be negative or exceed 255; an image cannot. "
        "Pick how the difference is shown.",
    )
    return mode

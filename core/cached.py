"""Streamlit caches around core calls, keyed on small hashable things.

Loaded images are shared by every visitor (``st.cache_data`` returns copies, so pages may modify
what they get). Entries are bounded with ``max_entries``.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import images


@st.cache_data(max_entries=32, show_spinner=False)
def decode_upload(data: bytes, max_side: int = 512) -> np.ndarray:
    """:func:`core.images.load_image`, cached by the file's bytes. Raises ``ImageLoadError``."""
    return images.load_image(data, max_side=max_side)


@st.cache_data(max_entries=16, show_spinner=False)
def sample_image(name: str) -> np.ndarray:
    """:func:`core.images.load_sample`, cached by name: float32 (H, W, 3) in [0, 1]."""
    return images.load_sample(name)

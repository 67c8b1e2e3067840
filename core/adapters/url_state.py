"""URL state: every control a page has is in its link, so a shared link (or a reconnect to another
worker) shows the same view. Values from a hand-edited link are validated: unknown choices, values
out of bounds and NaN fall back to the default instead of failing.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Optional

import streamlit as st


def url_default(key: str, param: str, default: Any, *, cast: Callable[[str], Any] = str,
                choices: Optional[Iterable] = None, bounds: Optional[tuple] = None) -> Any:
    """Seed ``st.session_state[key]`` from the URL parameter ``param`` the first time a page runs.

    An invalid URL value (wrong type, NaN or infinite, not among ``choices``) is ignored in favour
    of ``default``; a number outside ``bounds`` ``(lowest, highest)`` (the widget's range) is
    clamped into it: a hand-edited link never breaks the page.
    """
    if key not in st.session_state:
        value = default
        raw = st.query_params.get(param)
        if raw is not None:
            try:
                value = _url_value(cast(raw), default, choices, bounds)
            except (TypeError, ValueError, OverflowError):
                pass
        st.session_state[key] = value
    return st.session_state[key]


def _url_value(candidate: Any, default: Any, choices: Optional[Iterable], bounds: Optional[tuple]) -> Any:
    if isinstance(candidate, float) and not math.isfinite(candidate):
        return default
    if choices is not None and candidate not in list(choices):
        return default
    if bounds is not None:
        return min(max(candidate, bounds[0]), bounds[1])
    return candidate


def sync_url(**params: Any) -> None:
    """Mirror the page's main controls into the URL so the link reproduces the view."""
    for name, value in params.items():
        text = str(int(value) if isinstance(value, bool) else value)
        if st.query_params.get(name) != text:
            st.query_params[name] = text


# --- shared widgets ------------------------------------------------------------------------------

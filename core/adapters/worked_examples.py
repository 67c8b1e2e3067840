"""The course's worked examples on the Convolution page: the page's controls set to one example's
settings (stride, padding, bias, flip, the output position the course computes), once per choice."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.data.convolution_examples import WorkedExample


def worked_example_state(example: WorkedExample, prefix: str = "conv") -> dict[str, Any]:
    """The Convolution page's control values that reproduce ``example`` (widget key -> value).

    Keys are ``<prefix>_stride``, ``_bias``, ``_dilation``, ``_padding`` ("valid", "same", "full"
    or "explicit"), ``_pad`` (pixels per side when explicit), ``_pad_mode``, ``_flip``,
    ``_row`` and ``_col`` (the output position the course computes), ``_color`` ("RGB" for a
    3-channel image) and ``_applied`` (the example's key: marks the settings as applied).
    """
    pad = example.padding
    explicit = isinstance(pad, (int, np.integer)) and not isinstance(pad, bool)
    return {
        f"{prefix}_applied": example.key,
        f"{prefix}_stride": int(example.stride),
        f"{prefix}_bias": float(example.bias),
        f"{prefix}_dilation": 1,
        f"{prefix}_padding": "explicit" if explicit else pad,
        f"{prefix}_pad": int(pad) if explicit else 0,
        f"{prefix}_pad_mode": "constant",
        f"{prefix}_flip": bool(example.flip),
        f"{prefix}_row": int(example.position[0]),
        f"{prefix}_col": int(example.position[1]),
        f"{prefix}_color": "RGB" if example.image.ndim == 3 else "Grayscale",
    }


def apply_worked_example(example: WorkedExample | None, prefix: str = "conv") -> bool:
    """Set the controls to ``example``'s settings when it is newly chosen; call it before they are drawn.

    The student may change the controls afterwards: the settings are applied once per choice
    (``<prefix>_applied`` remembers which). With no example (None) the mark is cleared, so
    choosing the same example again applies it again.

    Returns
    -------
    bool
        Whether the settings were applied in this call.
    """
    marker = f"{prefix}_applied"
    if example is None:
        st.session_state.pop(marker, None)
        return False
    if st.session_state.get(marker) == example.key:
        return False
    st.session_state.update(worked_example_state(example, prefix))
    return True

"""A layer's padding as one control: a selectbox over the named paddings and, for ``"explicit"``, the
pixels added on each side (Convolution, Layer arithmetic)."""

from __future__ import annotations

from typing import Any

#: The paddings a page offers: Keras's ``"valid"`` and ``"same"``, ``"full"`` (every partial overlap)
#: and ``"explicit"`` (a chosen number of pixels on each side).
PADDINGS = ["valid", "same", "full", "explicit"]
#: The most pixels the explicit padding adds on each side.
MAX_PAD = 20
#: What each padding does, in the selectbox's help.
HELP = (
    "valid: none, p = 0 · same: output ⌈n/stride⌉, like Keras · full: every partial overlap, "
    "p = d(f − 1) · explicit: choose p, the pixels on each side"
)


def padding_input(where: Any, *, key: str, pad_key: str, pad_label: str) -> tuple[str, int]:
    """Draw the padding controls in ``where`` (a column, an expander or ``st``).

    Parameters
    ----------
    where : Streamlit container
        Where both widgets go.
    key, pad_key : str
        Session keys of the selectbox and of the explicit padding's number input (the latter is drawn
        only when ``"explicit"`` is chosen).
    pad_label : str
        The number input's label.

    Returns
    -------
    (name, pad) : tuple of (str, int)
        The chosen padding's name (one of :data:`PADDINGS`) and the pixels per side, 0 unless explicit.
    """
    name = where.selectbox("Padding", PADDINGS, key=key, help=HELP)
    pad = where.number_input(pad_label, 0, MAX_PAD, key=pad_key) if name == "explicit" else 0
    return name, int(pad)

"""Streamlit widgets that more than one page needs, or that set several controls at once.

- :func:`digit_canvas`: a drawing canvas for one handwritten digit (CNN activations, autoencoder);
  the PNG the browser sends is checked like an upload before it is decoded
  (:func:`core.data.drawing.decode_drawing`); the NumPy preprocessing that turns the drawing into a
  28 x 28 model input stays in :mod:`core.data.digit_input`.
- :func:`worked_example_state` / :func:`apply_worked_example`: the Convolution page's controls set
  to one of the course's worked examples.
"""

from __future__ import annotations

import binascii
from typing import Any

import numpy as np
import streamlit as st

from core.adapters import image_input, url_state
from core.data.convolution_examples import WorkedExample
from core.data.drawing import decode_drawing
from core.data.images import ImageLoadError
from core.figures.common import SIGNED_MODES

#: Pen and paper of the digit canvas: a black pen thick enough for a 28 x 28 digit, on white.
CANVAS_STROKE_WIDTH = 18
CANVAS_INK, CANVAS_PAPER = "#000000", "#FFFFFF"


def drawn_pixels(image_data: np.ndarray | None) -> np.ndarray | None:
    """The canvas' RGBA pixels, or None while nothing is drawn (no pixel differs from the paper).

    Parameters
    ----------
    image_data : ndarray (H, W, 4), uint8, or None
        ``st_canvas(...).image_data``; None before the canvas reports.

    Raises
    ------
    ValueError
        If ``image_data`` is not (H, W, 3) or (H, W, 4).
    """
    if image_data is None:
        return None
    pixels = np.asarray(image_data)
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"image_data must have shape (H, W, 3) or (H, W, 4), got {pixels.shape}")
    return pixels if pixels.size and np.ptp(pixels[..., :3]) > 0 else None


def digit_canvas(key: str, *, size: int = 280, upload_prefix: str | None = None) -> np.ndarray | None:
    """A square canvas to draw one digit on (black pen on white), like on paper.

    Without the ``streamlit-drawable-canvas`` package the student can upload a picture of a digit
    instead (the app's shared photo, :func:`core.adapters.image_input.upload_widget`).

    Parameters
    ----------
    key : str
        The canvas' widget key (and the upload's prefix unless ``upload_prefix`` is given).
    size : int
        Side of the canvas in pixels.

    Returns
    -------
    ndarray or None
        The drawing, (size, size, 4) uint8 RGBA; the upload instead, (H, W, 3) float32 in [0, 1];
        None while nothing is drawn or uploaded, or when what the browser sent is refused (the
        page then shows why). Turn it into a model input with
        ``core.data.digit_input.preprocess_digit``.

    Notes
    -----
    The drawing is read as the PNG bytes the browser sent (``CanvasResult.image_bytes``), never as
    the package's decoded ``image_data``: :func:`core.data.drawing.decode_drawing` checks its byte
    count and its header's size (it must be the canvas' own ``size`` × ``size``) before decoding.
    A malformed component value (a crafted websocket message) is refused with a message too.
    """
    try:
        from streamlit_drawable_canvas import st_canvas
    except ImportError:
        st.info("Drawing needs the `streamlit-drawable-canvas` package: upload a picture of a digit instead.")
        image_input.upload_widget(upload_prefix or key)
        shared = image_input.shared_image()
        return None if shared is None else shared[1]
    try:
        canvas = st_canvas(
            stroke_width=CANVAS_STROKE_WIDTH,
            stroke_color=CANVAS_INK,
            background_color=CANVAS_PAPER,
            height=size,
            width=size,
            drawing_mode="freedraw",
            return_image_data=True,
            key=key,
        )
        data = None if canvas is None else canvas.image_bytes  # the raw PNG, not the decoded array
    except (AttributeError, KeyError, TypeError, ValueError, binascii.Error):  # a malformed component value
        st.error("The drawing could not be read. Clear the canvas and draw again.")
        return None
    if not data:
        return None
    try:
        return drawn_pixels(decode_drawing(data, width=size, height=size))
    except ImageLoadError as exc:
        st.error(f"This drawing is refused: {exc}")
        return None


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

"""A drawing canvas for one handwritten digit (CNN activations, autoencoder).

The PNG the browser sends is checked like an upload before it is decoded
(:func:`core.data.drawing.decode_drawing`); the NumPy preprocessing that turns the drawing into a
28 x 28 model input stays in :mod:`core.data.digit_input`.
"""

from __future__ import annotations

import binascii

import numpy as np
import streamlit as st

from core.adapters import image_input, live_offers
from core.data.drawing import decode_drawing
from core.data.images import ImageLoadError

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
    In a live session the drawing is offered to the class (:mod:`core.adapters.live_offers`); a
    session that follows sees and gets the lecturer's drawing on this canvas instead, decoded alike.
    """
    lecturers = live_offers.from_lecturer("drawing", key)  # following a live session: the lecturer's
    if lecturers is not None and lecturers[0] == size:
        st.image(lecturers[1], caption="The lecturer's drawing", width=size)
        try:
            return drawn_pixels(decode_drawing(lecturers[1], width=size, height=size))
        except ImageLoadError as exc:
            st.error(f"The lecturer's drawing is refused: {exc}")
            return None
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
        live_offers.withdraw("drawing", key)
        return None
    try:
        pixels = drawn_pixels(decode_drawing(data, width=size, height=size))
        if pixels is None:
            live_offers.withdraw("drawing", key)
        else:
            live_offers.offer("drawing", (key, size, bytes(data)))  # to the class if this session leads
        return pixels
    except ImageLoadError as exc:
        st.error(f"This drawing is refused: {exc}")
        return None

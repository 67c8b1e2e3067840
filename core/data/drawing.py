"""The drawing canvas' picture, checked like an upload before it is decoded.

The canvas (``streamlit-drawable-canvas``) sends the drawing to the server as a PNG data URL that
Fabric.js renders at exactly the canvas' size (``toDataURL({format: "png", multiplier: 1})``).
Nothing stops a crafted websocket message from sending another PNG instead: a flat 30-megapixel
PNG is only ~170 kB but decodes to 120 MB of RGBA. :func:`decode_drawing` therefore reads the
size and the pixel count from the PNG header and refuses anything that is not the canvas' own
size before Pillow decodes a single pixel, with the upload limits of :mod:`core.data.images`
(:data:`~core.data.images.MAX_BYTES`, :data:`~core.data.images.MAX_PIXELS`, Pillow's
decompression-bomb warning as an error) as the outer bound.

This module imports neither TensorFlow nor Streamlit.
"""

from __future__ import annotations

import io
import struct
import warnings

import numpy as np

from core.data.images import MAX_BYTES, MAX_PIXELS, ImageLoadError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Room for PNG chunks and zlib framing on top of the raw pixels (a PNG of random pixels can be a
#: little larger than its raw RGBA data).
PNG_OVERHEAD_BYTES = 64 * 1024


def drawing_byte_limit(width: int, height: int) -> int:
    """Largest PNG accepted from a ``width`` × ``height`` canvas, in bytes.

    The raw RGBA pixels (4 bytes each) plus :data:`PNG_OVERHEAD_BYTES`, and never more than an
    upload (:data:`~core.data.images.MAX_BYTES`): 379,136 bytes for a 280 × 280 canvas.
    """
    return min(MAX_BYTES, 4 * int(width) * int(height) + PNG_OVERHEAD_BYTES)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, read without decoding anything.

    Raises
    ------
    ImageLoadError
        If ``data`` does not start with the PNG signature and an IHDR chunk.

    References
    ----------
    W3C, *Portable Network Graphics (PNG) Specification (Third Edition)*, §5.2 (signature) and
    §11.2.1 (IHDR: width and height as 4-byte big-endian integers after the chunk's length and type).
    """
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ImageLoadError("The drawing is not a PNG image. Clear the canvas and draw again.")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def decode_drawing(data: bytes, *, width: int, height: int) -> np.ndarray:
    """Decode the canvas' PNG, refusing it before decoding unless it is the canvas' own size.

    Parameters
    ----------
    data : bytes
        The PNG the canvas sent (``CanvasResult.image_bytes``).
    width, height : int
        The canvas' size in pixels, as passed to ``st_canvas``.

    Returns
    -------
    pixels : ndarray of shape (height, width, 4), uint8 RGBA

    Raises
    ------
    ImageLoadError
        Empty; over :func:`drawing_byte_limit`; not a PNG; a header size other than
        ``width`` × ``height`` or over :data:`~core.data.images.MAX_PIXELS` (all checked before
        decoding); a decompression bomb, truncated or corrupt data. The message says what was
        sent and what the canvas sends.
    """
    if not data:
        raise ImageLoadError("The drawing is empty. Draw a digit on the canvas.")
    limit = drawing_byte_limit(width, height)
    if len(data) > limit:
        raise ImageLoadError(
            f"The drawing is {len(data):,} bytes; a {width}×{height} canvas sends at most "
            f"{limit:,}. Clear the canvas and draw again."
        )
    got_w, got_h = png_size(data)
    if got_w * got_h > MAX_PIXELS or (got_w, got_h) != (width, height):
        raise ImageLoadError(
            f"The drawing is {got_w:,}×{got_h:,} pixels ({got_w * got_h / 1e6:.1f} MP); this "
            f"canvas is {width}×{height}. Clear the canvas and draw again."
        )
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=["PNG"])
            if img.size != (width, height):
                raise ImageLoadError(
                    f"The drawing is {img.size[0]}×{img.size[1]} pixels; this canvas is "
                    f"{width}×{height}. Clear the canvas and draw again."
                )
            img.load()
        return np.asarray(img.convert("RGBA"))
    except ImageLoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a bad drawing, never a traceback
        raise ImageLoadError(
            f"The drawing could not be read ({type(exc).__name__}). Clear the canvas and draw again."
        ) from None

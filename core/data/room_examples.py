"""The lecturer's own examples in a live session's payload: what the page's address cannot hold.

A view's link names the controls, not the lecturer's uploaded photo or the perceptron points they
clicked; these travel as one JSON document in the room's payload slot
(:meth:`core.data.rooms.RoomStore.lead`, at most :data:`~core.data.room_records.MAX_PAYLOAD_BYTES`):

``{"photo": {"name": str, "image": base64 PNG or JPEG}, "points": [[x1, x2, class], ...],
"matrix": {"key": widget key, "values": [[...], ...]}, "drawing": {"key": widget key, "size": px,
"image": base64 PNG}}``

Each part is optional; a matrix and a drawing name the editor or canvas they came from (the page's
widget key), so a page shows them only in the same place.

The photo is the decoded upload the session keeps (uint8 (H, W, 3), at most 512 px a side), sent
as PNG when it fits in :data:`MAX_IMAGE_BYTES`, else as JPEG (quality 95, then lower), else
downscaled: the follower decodes it with the uploads' bounded decoder
(:func:`core.data.images.load_image`), a drawing with the canvas' own
(:func:`core.data.drawing.decode_drawing`). Nothing here is unpickled or used as a path; a document
that breaks a rule is refused with :class:`ExampleError` before anything is built from it.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re

import numpy as np

from core.data.room_records import MAX_PAYLOAD_BYTES

#: The payload's media type in the room's view record.
EXAMPLES_KIND = "application/json"
#: The photo's encoded bytes at most (base64 makes 4/3 of it; the points and the JSON's frame fit the rest).
MAX_IMAGE_BYTES = 170_000
#: Points at most (the perceptron page's own cap) and the largest |coordinate|.
MAX_POINTS = 100
MAX_COORDINATE = 1e6
#: A photo's name at most, in characters (it is the lecturer's text, shown to the followers).
MAX_NAME_CHARS = 80
#: A typed matrix at most (rows and columns; the pages' grids are 4 to 8 a side) and its largest |value|.
MAX_MATRIX_SIDE = 32
MAX_MATRIX_VALUE = 1e6
#: A drawing's PNG at most (a 280 px canvas of strokes is 5–20 kB) and the canvas sides taken.
MAX_DRAWING_BYTES = 64 * 1024
DRAWING_SIDES = range(28, 1025)
PARTS = ("photo", "points", "matrix", "drawing")
_KEY = re.compile(r"[a-z0-9_]{1,64}\Z")
_JPEG_QUALITIES = (95, 90, 80, 70)


class ExampleError(ValueError):
    """A payload that is not the lecturer's examples as this module writes them: refused."""


def encode_photo(pixels: np.ndarray, *, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[str, bytes]:
    """The photo as ``("png" or "jpeg", bytes)`` of at most ``max_bytes``.

    Parameters
    ----------
    pixels : ndarray (H, W, 3), uint8
        The decoded upload (its size is kept when the JPEG fits, so the follower's feature map has the
        lecturer's shape).

    Raises
    ------
    ValueError
        For pixels that are not (H, W, 3) uint8 of at most 4096 px a side.
    """
    from PIL import Image

    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or max(pixels.shape[:2]) > 4096:
        raise ValueError(f"pixels must be uint8 (H, W, 3) of at most 4096 px a side, got {pixels.shape}")
    image = Image.fromarray(pixels, "RGB")
    while True:
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        if out.tell() <= max_bytes:
            return "png", out.getvalue()
        for quality in _JPEG_QUALITIES:
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=quality)
            if out.tell() <= max_bytes:
                return "jpeg", out.getvalue()
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)), Image.LANCZOS)


def encode_examples(
    *,
    photo: tuple[str, np.ndarray] | None = None,
    points=None,
    matrix: tuple[str, np.ndarray] | None = None,
    drawing: tuple[str, int, bytes] | None = None,
) -> bytes | None:
    """The payload for :meth:`core.data.rooms.RoomStore.lead` (``payload_kind`` :data:`EXAMPLES_KIND`),
    or None when there is nothing to send.

    Parameters
    ----------
    photo : (name, ndarray (H, W, 3) uint8), optional
    points : array-like (N, 3), optional
        ``x1, x2, class`` rows (class 0 or 1), at most :data:`MAX_POINTS`.
    matrix : (widget key, array-like (H, W)), optional
        A typed matrix, at most :data:`MAX_MATRIX_SIDE` a side, finite.
    drawing : (widget key, canvas side in px, PNG bytes), optional
        The canvas' own PNG, at most :data:`MAX_DRAWING_BYTES`.

    Raises
    ------
    ValueError
        For points or a photo that break the limits above, or a document over
        :data:`~core.data.room_records.MAX_PAYLOAD_BYTES`.
    """
    document = {}
    if photo is not None:
        name, pixels = photo
        _, data = encode_photo(pixels)
        document["photo"] = {"name": str(name)[:MAX_NAME_CHARS], "image": base64.b64encode(data).decode()}
    if points is not None:
        document["points"] = _check_points(points).tolist()
    if matrix is not None:
        document["matrix"] = {"key": _check_key(matrix[0]), "values": _check_matrix(matrix[1]).tolist()}
    if drawing is not None:
        key, side, png = drawing
        document["drawing"] = {
            "key": _check_key(key),
            "size": _check_side(side),
            "image": base64.b64encode(_check_drawing_png(png)).decode(),
        }
    if not document:
        return None
    raw = json.dumps(document, separators=(",", ":"), allow_nan=False).encode()
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"the examples make {len(raw)} bytes, over the room's {MAX_PAYLOAD_BYTES}")
    return raw


def decode_examples(raw: bytes) -> dict:
    """The lecturer's examples from a payload: ``{"photo": (name, image file bytes), "points": ndarray
    (N, 3) float64, "matrix": (key, ndarray (H, W) float32), "drawing": (key, side, PNG bytes)}``, each
    part only if sent. The photo's and the drawing's bytes still go through the uploads' and the
    canvas' bounded decoders.

    Raises
    ------
    ExampleError
        For more than :data:`~core.data.room_records.MAX_PAYLOAD_BYTES`, bytes that are not this JSON
        document, an image over :data:`MAX_IMAGE_BYTES` or not PNG/JPEG, or points that break the limits.
    """
    if not isinstance(raw, (bytes, bytearray)) or len(raw) > MAX_PAYLOAD_BYTES:
        raise ExampleError(f"the lecturer's examples must be at most {MAX_PAYLOAD_BYTES} bytes of JSON")
    try:
        document = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ExampleError("the lecturer's examples are not JSON: refused") from None
    if not isinstance(document, dict) or not set(document) <= set(PARTS):
        raise ExampleError(f"the lecturer's examples must be an object of some of {', '.join(PARTS)}")
    examples = {}
    if "photo" in document:
        photo = document["photo"]
        if not isinstance(photo, dict) or not isinstance(photo.get("image"), str):
            raise ExampleError("the lecturer's photo must be {'name', 'image': base64}")
        if len(photo["image"]) > (MAX_IMAGE_BYTES + 2) // 3 * 4:
            raise ExampleError(f"the lecturer's photo is over {MAX_IMAGE_BYTES} bytes: refused")
        try:
            data = base64.b64decode(photo["image"], validate=True)
        except (binascii.Error, ValueError):
            raise ExampleError("the lecturer's photo is not base64: refused") from None
        if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
            raise ExampleError("the lecturer's photo must be a PNG or a JPEG")
        examples["photo"] = (str(photo.get("name", "the lecturer's photo"))[:MAX_NAME_CHARS], data)
    if "points" in document:
        try:
            examples["points"] = _check_points(document["points"])
        except ValueError as exc:
            raise ExampleError(f"the lecturer's points are refused: {exc}") from None
    try:
        if "matrix" in document:
            part = _part(document, "matrix", ("key", "values"))
            examples["matrix"] = (_check_key(part["key"]), _check_matrix(part["values"]))
        if "drawing" in document:
            part = _part(document, "drawing", ("key", "size", "image"))
            if not isinstance(part["image"], str) or len(part["image"]) > (MAX_DRAWING_BYTES + 2) // 3 * 4:
                raise ValueError(f"a drawing is a base64 PNG of at most {MAX_DRAWING_BYTES} bytes")
            png = base64.b64decode(part["image"], validate=True)
            examples["drawing"] = (
                _check_key(part["key"]),
                _check_side(part["size"]),
                _check_drawing_png(png),
            )
    except (binascii.Error, ValueError) as exc:
        raise ExampleError(f"the lecturer's example is refused: {exc}") from None
    return examples


def _part(document: dict, name: str, fields: tuple[str, ...]) -> dict:
    part = document[name]
    if not isinstance(part, dict) or set(part) != set(fields):
        raise ValueError(f"{name} must be an object of {', '.join(fields)}")
    return part


def _check_key(key) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError("an example's widget key must be 1 to 64 lower-case letters, digits or '_'")
    return key


def _check_side(side) -> int:
    if isinstance(side, bool) or not isinstance(side, int) or side not in DRAWING_SIDES:
        raise ValueError(
            f"a canvas side must be a whole number of {DRAWING_SIDES.start} to {DRAWING_SIDES.stop - 1} px"
        )
    return side


def _check_drawing_png(png) -> bytes:
    if not isinstance(png, (bytes, bytearray)) or not 0 < len(png) <= MAX_DRAWING_BYTES:
        raise ValueError(f"a drawing must be a PNG of 1 to {MAX_DRAWING_BYTES} bytes")
    if not bytes(png).startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("a drawing must be a PNG")
    return bytes(png)


def _as_rows(values, *, max_rows: int, too_many: str, not_rows: str) -> np.ndarray:
    """``values`` as a float64 array; a list or tuple of more than ``max_rows`` rows is refused before
    NumPy converts it (the size is bounded before any work). Raises ``ValueError(too_many)`` or, when
    the rows are not numbers of one length, ``ValueError(not_rows)``."""
    if isinstance(values, (list, tuple)) and len(values) > max_rows:
        raise ValueError(too_many)
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(not_rows) from None


def _check_matrix(values) -> np.ndarray:
    """``values`` as float32 (H, W): 1 to :data:`MAX_MATRIX_SIDE` a side, finite, within
    ±:data:`MAX_MATRIX_VALUE`."""
    matrix = _as_rows(
        values,
        max_rows=MAX_MATRIX_SIDE,
        too_many=f"a matrix has at most {MAX_MATRIX_SIDE} rows",
        not_rows="a matrix must be rows of numbers of one length",
    )
    if matrix.ndim != 2 or not (
        1 <= matrix.shape[0] <= MAX_MATRIX_SIDE and 1 <= matrix.shape[1] <= MAX_MATRIX_SIDE
    ):
        raise ValueError(
            f"a matrix must be 1 to {MAX_MATRIX_SIDE} rows and columns; got shape {matrix.shape}"
        )
    if not np.isfinite(matrix).all() or np.abs(matrix).max() > MAX_MATRIX_VALUE:
        raise ValueError(f"a matrix's values must be finite, within ±{MAX_MATRIX_VALUE:g}")
    return matrix.astype(np.float32)


def _check_points(points) -> np.ndarray:
    """``points`` as float64 (N, 3): 1 to :data:`MAX_POINTS` rows of finite x1, x2 within
    ±:data:`MAX_COORDINATE` and a class of 0 or 1."""
    rows = _as_rows(
        points,
        max_rows=MAX_POINTS,
        too_many=f"at most {MAX_POINTS} points",
        not_rows="points must be rows of three numbers: x1, x2, class",
    )
    if rows.ndim != 2 or rows.shape[1] != 3 or not 1 <= rows.shape[0] <= MAX_POINTS:
        raise ValueError(f"points must be 1 to {MAX_POINTS} rows of x1, x2, class; got shape {rows.shape}")
    if not np.isfinite(rows).all() or np.abs(rows[:, :2]).max() > MAX_COORDINATE:
        raise ValueError(f"coordinates must be finite, within ±{MAX_COORDINATE:g}")
    if not np.isin(rows[:, 2], (0.0, 1.0)).all():
        raise ValueError("each point's class must be 0 or 1")
    return rows
